// Builds both ends of an aws-chunked signature chain: the client's (from its Authorization header
// and the user's secret) and the backend's (from the signature the gateway just made).
import type { BackendConfig } from '../core/config/types.ts';
import type { GatewayModel } from '../core/gateway-model.ts';
import { errors } from '../core/errors.ts';
import { parseAuthorizationHeader } from '../core/sigv4/auth-header.ts';
import { credentialScope } from '../core/sigv4/scope.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import type { ChainEnds } from './aws-chunked.ts';

export function isSignedChunked(payloadHash: string | undefined): boolean {
  return payloadHash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' || payloadHash === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
}

export function chainEnds(
  headers: Record<string, string>,
  model: GatewayModel,
  backend: BackendConfig,
  backendAuthorization: string,
  backendDate: string,
  keys: SigningKeyCache,
): ChainEnds {
  const auth = headers['authorization'];
  // Presigned requests carry no seed signature to chain from.
  if (!auth) throw errors.invalidRequest('Signed streaming uploads need Authorization header signing.');
  const client = parseAuthorizationHeader(auth);
  const secret = model.credential(client.accessKeyId)?.secret;
  if (!secret) throw errors.invalidAccessKeyId(client.accessKeyId);
  const ours = parseAuthorizationHeader(backendAuthorization);
  const { accessKeyId, secretAccessKey } = backend.credentials;
  return {
    accessKeyId: client.accessKeyId,
    client: {
      key: keys.get(client.accessKeyId, secret, client.date, client.region, 's3'),
      datetime: headers['x-amz-date'] ?? '',
      scope: credentialScope(client),
      seed: client.signature,
    },
    backend: {
      key: keys.get(accessKeyId, secretAccessKey, ours.date, ours.region, 's3'),
      datetime: backendDate,
      scope: credentialScope(ours),
      seed: ours.signature,
    },
    trailer: headers['x-amz-content-sha256']!.endsWith('-TRAILER'),
    decodedLength: Number(headers['x-amz-decoded-content-length']),
  };
}
