// Response headers only a backend product sends, dropped for every response: what a client sees must
// not depend on which backend answered, nor name it. Found by sending the same requests to a bucket on
// each tested backend through the gateway (test/e2e/backend-fingerprints.test.ts keeps it so):
// MinIO's rate limits and its browser hardening headers, SeaweedFS's internal seaweed-* copies, and the
// backend's own request id pair (x-amz-id-2; x-amz-request-id is overwritten with the gateway's).
// Envoy's own x-envoy-* headers go with the router's suppress_envoy_headers.

const EXACT = [
  'x-amz-id-2',
  'x-ratelimit-limit', 'x-ratelimit-remaining',
  'strict-transport-security', 'x-content-type-options', 'x-xss-protection',
];
const PREFIXES = ['seaweed-', 'x-minio-'];

export function fingerprintFilter() {
  return {
    name: 'envoy.filters.http.header_mutation',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation',
      mutations: {
        response_mutations: [
          ...EXACT.map((name) => ({ remove: name })),
          ...PREFIXES.map((prefix) => ({ remove_on_match: { key_matcher: { prefix } } })),
        ],
      },
    },
  };
}
