// Binds the pure authorization decision to Envoy's ext_authz Check call (one unary handler; the
// gRPC stack that carries it is the launcher's choice).
import { errors } from '../core/errors.ts';
import { authorize, type AuthzDeps, type AuthzOutcome } from './decide.ts';
import { requestFromCheck, type CheckRequestHttp } from './input.ts';
import { deniedResponse, okResponse } from './response.ts';

export function checkHandler(deps: AuthzDeps, now: () => Date = () => new Date()) {
  return (request: { attributes?: { request?: { http?: CheckRequestHttp } } }) => {
    const http = request?.attributes?.request?.http ?? {};
    const req = requestFromCheck(http);
    let outcome: AuthzOutcome;
    try {
      outcome = authorize(req, { ...deps, now: now() });
    } catch (e) {
      // Unexpected failure: deny (fail closed) with an S3 InternalError rather than crash.
      console.error('ext_authz error:', e);
      outcome = { ok: false, error: errors.internal() };
    }
    if (outcome.ok) return okResponse(outcome);
    return deniedResponse(outcome.error, req.method, req.rawPath, req.headers['x-request-id'] ?? '');
  };
}
