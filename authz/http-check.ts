// Envoy's ext_authz over HTTP (`http_service`, also what Istio's envoyExtAuthzHttp provider sends):
// the check request as the request model the decision reads, and the decision as the HTTP answer.
// Pure: the server in wire/http-authz-server.ts does the I/O. No path prefix is configured: the check
// request's target is the client's `path?query` as received.
import {
  AUTHORITY_HEADER,
  CLUSTER_HEADER,
  CONTENT_LENGTH_HEADER,
  EXTPROC_HEADER,
  HEADERS_TO_REMOVE_HEADER,
  PATH_HEADER,
  STATUS_HEADER,
  WORK_HEADER,
} from '../wire/names.ts';
import type { HttpAuthzAnswer, HttpAuthzCheck } from '../wire/http-authz-server.ts';
import { workToHeader } from '../wire/route-decision.ts';
import type { S3Error } from '../core/errors.ts';
import type { AuthzOutcome } from './decide.ts';
import { accessLogFields, deniedReply } from './response.ts';
import { requestFromCheck, sourceIpOf } from './input.ts';
import type { AuthzRequest } from './upstream.ts';

/**
 * Lower-case names, repeated headers joined with ',' (as Envoy's gRPC CheckRequest has them). Envoy sends
 * content-length 0 on the check: the client's value is the copy under CONTENT_LENGTH_HEADER, or none.
 */
export function httpCheckHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const length = headers[CONTENT_LENGTH_HEADER];
  delete headers[CONTENT_LENGTH_HEADER];
  if (length === undefined) delete headers['content-length'];
  else headers['content-length'] = length;
  return headers;
}

export function requestFromHttpCheck(check: HttpAuthzCheck): AuthzRequest {
  const headers = httpCheckHeaders(check.rawHeaders);
  const http = { method: check.method, path: check.url, host: headers['host'], headers };
  // Envoy's HTTP check names no peer: the first Lua filter always sets the client's address as a header.
  return requestFromCheck(http, sourceIpOf({ request: { http } }, 'edge'));
}

/** Pseudo-headers travel as plain headers (an HTTP answer cannot set them); a Lua filter moves them back. */
const PSEUDO_AS: Readonly<Record<string, string>> = { ':path': PATH_HEADER, ':authority': AUTHORITY_HEADER };

export function okHttpAnswer(outcome: Extract<AuthzOutcome, { ok: true }>, { accessLog = false } = {}): HttpAuthzAnswer {
  const { upstream, decision } = outcome;
  const headers: Record<string, string> = {
    ...(accessLog ? accessLogFields(decision) : {}),
    [CLUSTER_HEADER]: outcome.cluster,
    // Always set, so that a client's own value never reaches the route.
    [EXTPROC_HEADER]: upstream.ticket ? '1' : '0',
  };
  for (const [k, v] of upstream.headers.set) headers[PSEUDO_AS[k] ?? k] = v;
  if (upstream.headers.remove.length > 0) headers[HEADERS_TO_REMOVE_HEADER] = upstream.headers.remove.join(',');
  if (upstream.ticket) headers[WORK_HEADER] = workToHeader({ decision, ticket: upstream.ticket });
  return { status: 200, headers, body: '' };
}

export function deniedHttpAnswer(error: S3Error, req: AuthzRequest): HttpAuthzAnswer {
  const reply = deniedReply(error, req);
  if (reply.status < 500) return reply;
  return { ...reply, status: 403, headers: { ...reply.headers, [STATUS_HEADER]: String(reply.status) } };
}
