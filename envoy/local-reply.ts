// Replies Envoy generates itself (authorization service down, backend unreachable) get S3 XML
// bodies like every other error, so clients show a meaningful code instead of a parse failure.

function s3ErrorBody(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>%REQ(X-REQUEST-ID)%</RequestId></Error>\n`
  );
}

function mapper(filter: object, code: string, message: string, status?: number) {
  return {
    filter,
    ...(status ? { status_code: status } : {}),
    body_format_override: {
      text_format_source: { inline_string: s3ErrorBody(code, message) },
      content_type: 'application/xml',
    },
  };
}

const statusIs = (code: number) => ({
  status_code_filter: { comparison: { op: 'EQ', value: { default_value: code, runtime_key: `bucketgate.local_reply.${code}` } } },
});

export function localReplyConfig() {
  return {
    mappers: [
      // ext_authz unreachable or failing: the request is denied (fail closed) with 503.
      mapper(
        { and_filter: { filters: [statusIs(503), { response_flag_filter: { flags: ['UAEX'] } }] } },
        'ServiceUnavailable',
        'The authorization service is unavailable. Please try again.',
      ),
      mapper(
        { response_flag_filter: { flags: ['UF', 'UH', 'UO', 'URX', 'UC', 'UT', 'UMSDR'] } },
        'ServiceUnavailable',
        'The storage backend is unavailable. Please try again.',
      ),
      // A backend connection lost while a body past Envoy's buffer was still arriving: the retry cannot
      // replay it, and Envoy's own answer would be a plain-text 507. The client's to retry, as S3 says.
      mapper(statusIs(507), 'ServiceUnavailable', 'The storage backend is unavailable. Please try again.', 503),
      // Envoy's own limit on request headers (60 KiB): AWS answers 400 with this code.
      mapper(statusIs(431), 'RequestHeaderSectionTooLarge', 'Your request header section exceeds the maximum allowed size.', 400),
      // Any other 500 Envoy makes itself (ext_proc's stream failed: a services worker died mid-request).
      mapper(statusIs(500), 'InternalError', 'We encountered an internal error. Please try again.'),
      // A client that stops sending (stream idle timeout): S3's answer is 400 RequestTimeout.
      mapper(statusIs(408), 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.', 400),
    ],
  };
}
