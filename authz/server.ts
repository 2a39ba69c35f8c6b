// Binds the pure authorization decision to Envoy's ext_authz Check call.
import type * as grpc from '@grpc/grpc-js';
import type { GatewayModel } from '../core/gateway-model.ts';
import { decisionToStruct } from '../core/route-decision.ts';
import { errors, errorXml } from '../core/errors.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { authorize } from './decide.ts';

/** Envoy routes on this header (route `cluster_header`); ext_authz always sets it. */
export const CLUSTER_HEADER = 'x-bucketgate-cluster';

const GRPC_OK = 0;
const GRPC_PERMISSION_DENIED = 7;

function header(key: string, value: string) {
  return { header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' };
}

export function authzHandlers(model: GatewayModel, keyCache: SigningKeyCache, now: () => Date = () => new Date()): grpc.UntypedServiceImplementation {
  return {
    Check(call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) {
      const http = call.request?.attributes?.request?.http ?? {};
      const headers: Record<string, string> = http.headers ?? {};
      const fullPath: string = http.path ?? '/';
      const q = fullPath.indexOf('?');
      const rawPath = q < 0 ? fullPath : fullPath.slice(0, q);
      const req = {
        method: http.method ?? 'GET',
        rawPath,
        rawQuery: q < 0 ? '' : fullPath.slice(q + 1),
        header: (name: string) => (name === 'host' ? (headers['host'] ?? headers[':authority'] ?? http.host) : headers[name]),
        headerNames: () => Object.keys(headers),
      };
      let outcome;
      try {
        outcome = authorize(req, { model, keyCache, now: now() });
      } catch (e) {
        // Unexpected failure: deny (fail closed) with an S3 InternalError rather than crash.
        console.error('ext_authz error:', e);
        outcome = { ok: false as const, error: errors.internal() };
      }
      if (outcome.ok) {
        callback(null, {
          status: { code: GRPC_OK },
          ok_response: { headers: [header(CLUSTER_HEADER, outcome.cluster)] },
          dynamic_metadata: decisionToStruct(outcome.decision),
        });
        return;
      }
      const requestId = headers['x-request-id'] ?? '';
      callback(null, {
        status: { code: GRPC_PERMISSION_DENIED },
        denied_response: {
          status: { code: outcome.error.status },
          headers: [header('content-type', 'application/xml'), header('x-amz-request-id', requestId)],
          body: req.method === 'HEAD' ? '' : errorXml(outcome.error, rawPath, requestId),
        },
      });
    },
  };
}
