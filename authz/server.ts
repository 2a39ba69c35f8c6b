// Binds the pure authorization decision to Envoy's ext_authz: the gRPC Check call (one unary handler;
// the gRPC stack that carries it is the launcher's choice) and the HTTP check (http_service).
import { errors } from '../core/errors.ts';
import { authorize, type AuthzDeps, type AuthzOutcome } from './decide.ts';
import type { HttpAuthzAnswer, HttpAuthzCheck } from '../wire/http-authz-server.ts';
import { deniedHttpAnswer, okHttpAnswer, requestFromHttpCheck } from './http-check.ts';
import { requestFromCheck, sourceIpOf, type CheckAttributes, type SourceIpFrom } from './input.ts';
import { deniedResponse, okResponse } from './response.ts';
import type { AuthzRequest } from './upstream.ts';

function decide(req: AuthzRequest, deps: AuthzDeps, now: Date): AuthzOutcome {
  try {
    return authorize(req, { ...deps, now });
  } catch (e) {
    // Unexpected failure: deny (fail closed) with an S3 InternalError rather than crash.
    console.error('ext_authz error:', e);
    return { ok: false, error: errors.internal() };
  }
}

export function checkHandler(deps: AuthzDeps, now: () => Date = () => new Date(), sourceIpFrom: SourceIpFrom = 'peer') {
  return (request: { attributes?: CheckAttributes }) => {
    const attributes = request?.attributes ?? {};
    const req = requestFromCheck(attributes.request?.http ?? {}, sourceIpOf(attributes, sourceIpFrom));
    const outcome = decide(req, deps, now());
    return outcome.ok ? okResponse(outcome) : deniedResponse(outcome.error, req);
  };
}

export function httpCheckHandler(deps: AuthzDeps, now: () => Date = () => new Date()) {
  return (check: HttpAuthzCheck): HttpAuthzAnswer => {
    const req = requestFromHttpCheck(check);
    const outcome = decide(req, deps, now());
    return outcome.ok ? okHttpAnswer(outcome) : deniedHttpAnswer(outcome.error, req);
  };
}
