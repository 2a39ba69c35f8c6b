// The decision as Envoy's CheckResponse: OK with the header mutations for the backend and the route
// (and, only when ext_proc has work, the metadata it reads), or denied with S3's XML error.
import { errorXml, type S3Error } from '../core/errors.ts';
import { CLUSTER_HEADER, EXTPROC_HEADER } from '../wire/names.ts';
import { workToStruct } from '../wire/route-decision.ts';
import type { AuthzOutcome } from './decide.ts';

const GRPC_OK = 0;
const GRPC_PERMISSION_DENIED = 7;

const header = (key: string, value: string) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });

export function okResponse(outcome: Extract<AuthzOutcome, { ok: true }>) {
  const { upstream, decision } = outcome;
  const headers = [
    header(CLUSTER_HEADER, outcome.cluster),
    // Always set, so that a client's own value never reaches the route.
    header(EXTPROC_HEADER, upstream.ticket ? '1' : '0'),
    ...upstream.headers.set.map(([k, v]) => header(k, v)),
  ];
  return {
    status: { code: GRPC_OK },
    ok_response: { headers, headers_to_remove: upstream.headers.remove },
    ...(upstream.ticket && { dynamic_metadata: workToStruct({ decision, ticket: upstream.ticket }) }),
  };
}

export function deniedResponse(error: S3Error, method: string, resource: string, requestId: string) {
  return {
    status: { code: GRPC_PERMISSION_DENIED },
    denied_response: {
      status: { code: error.status },
      headers: [header('content-type', 'application/xml'), header('x-amz-request-id', requestId)],
      body: method === 'HEAD' ? '' : errorXml(error, resource, requestId),
    },
  };
}
