// The decision as Envoy's CheckResponse: OK with the header mutations for the backend and the route
// and the metadata ext_proc reads (its ticket, or only the mark that the request was checked), or denied
// with S3's XML error.
import { errorXml, type S3Error } from '../core/errors.ts';
import { ACCESS_LOG_FIELDS, CLUSTER_HEADER, EXTPROC_HEADER } from '../wire/names.ts';
import { checkedStruct, workToStruct, type RouteDecision } from '../wire/route-decision.ts';
import type { AuthzOutcome } from './decide.ts';
import type { AuthzRequest } from './upstream.ts';

const GRPC_OK = 0;
const GRPC_PERMISSION_DENIED = 7;

const header = (key: string, value: string) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });

/** What the access log records of an allowed request (ACCESS_LOG_FIELDS), from the decision. */
export function accessLogFields(d: RouteDecision): Record<string, string> {
  return {
    [ACCESS_LOG_FIELDS.principal]: d.principal ?? 'anonymous',
    [ACCESS_LOG_FIELDS.operation]: d.op,
    [ACCESS_LOG_FIELDS.bucket]: d.bucket ?? '',
  };
}

/** `accessLog`: the config has an access log, which reads the decision's fields from the metadata. */
export function okResponse(outcome: Extract<AuthzOutcome, { ok: true }>, { accessLog = false } = {}) {
  const { upstream, decision } = outcome;
  const logged = accessLog ? accessLogFields(decision) : undefined;
  const headers = [
    header(CLUSTER_HEADER, outcome.cluster),
    // Always set, so that a client's own value never reaches the route.
    header(EXTPROC_HEADER, upstream.ticket ? '1' : '0'),
    ...upstream.headers.set.map(([k, v]) => header(k, v)),
  ];
  return {
    status: { code: GRPC_OK },
    ok_response: { headers, headers_to_remove: upstream.headers.remove },
    dynamic_metadata: upstream.ticket ? workToStruct({ decision, ticket: upstream.ticket }, logged) : checkedStruct(logged),
  };
}

/** A denial as the client gets it, whichever way ext_authz answers Envoy. */
export function deniedReply(error: S3Error, req: AuthzRequest) {
  const requestId = req.headers['x-request-id'] ?? '';
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId } as Record<string, string>,
    body: req.method === 'HEAD' ? '' : errorXml(error, req.rawPath, requestId),
  };
}

export function deniedResponse(error: S3Error, req: AuthzRequest) {
  const reply = deniedReply(error, req);
  return {
    status: { code: GRPC_PERMISSION_DENIED },
    denied_response: {
      status: { code: reply.status },
      headers: Object.entries(reply.headers).map(([k, v]) => header(k, v)),
      body: reply.body,
    },
  };
}
