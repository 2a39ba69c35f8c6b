// Binds the pure authorization decision to Envoy's ext_authz: the gRPC Check call (one unary handler;
// the gRPC stack that carries it is the launcher's choice) and the HTTP check (http_service). The audit
// line of each decision is written here, at the edge, when the worker has an audit sink.
import { auditLine, type AuditSink } from '../access/audit.ts';
import { errors } from '../core/errors.ts';
import { authorize, type AuthzDeps, type AuthzOutcome } from './decide.ts';
import type { HttpAuthzAnswer, HttpAuthzCheck } from '../wire/http-authz-server.ts';
import { deniedHttpAnswer, okHttpAnswer, requestFromHttpCheck } from './http-check.ts';
import { requestFromCheck, sourceIpOf, type CheckAttributes, type SourceIpFrom } from './input.ts';
import { deniedResponse, okResponse } from './response.ts';
import type { AuthzRequest } from './upstream.ts';

export interface CheckOptions {
  now?: () => Date;
  /** gRPC only: where the client's address comes from (see authz/input.ts). */
  sourceIpFrom?: SourceIpFrom;
  /** Absent: no audit log, and no work for it. */
  audit?: AuditSink;
  /** The config has an access log: the answer carries what it records of the decision. */
  accessLog?: boolean;
}

function decide(req: AuthzRequest, deps: AuthzDeps, now: Date): AuthzOutcome {
  try {
    return authorize(req, { ...deps, now });
  } catch (e) {
    // Unexpected failure: deny (fail closed) with an S3 InternalError rather than crash.
    console.error('ext_authz error:', e);
    return { ok: false, error: errors.internal(), trail: {} };
  }
}

/** The audit line of one decision; the request id is Envoy's, which the client gets as x-amz-request-id. */
export function outcomeLine(outcome: AuthzOutcome, req: AuthzRequest, time: Date): string {
  return auditLine({
    ...outcome.trail,
    time,
    requestId: req.header('x-request-id') ?? '',
    sourceIp: req.sourceIp,
    allowed: outcome.ok,
    ...(!outcome.ok && { error: outcome.error }),
  });
}

function decideAudited(req: AuthzRequest, deps: AuthzDeps, { now = () => new Date(), audit }: CheckOptions): AuthzOutcome {
  const at = now();
  const outcome = decide(req, deps, at);
  // A POST form's credentials are in its body: its line is ext_proc's, written when it decides.
  const deferred = outcome.ok && outcome.decision.op === 'PostObject';
  if (!audit || deferred) return outcome;
  try {
    audit.write(outcomeLine(outcome, req, at));
  } catch (e) {
    // A decision the log cannot record is not made (fail closed).
    console.error('audit: cannot write the line:', (e as Error).message);
    return { ok: false, error: errors.internal(), trail: outcome.trail };
  }
  return outcome;
}

export function checkHandler(deps: AuthzDeps, options: CheckOptions = {}) {
  const sourceIpFrom = options.sourceIpFrom ?? 'peer';
  return (request: { attributes?: CheckAttributes }) => {
    const attributes = request?.attributes ?? {};
    const req = requestFromCheck(attributes.request?.http ?? {}, sourceIpOf(attributes, sourceIpFrom));
    const outcome = decideAudited(req, deps, options);
    return outcome.ok ? okResponse(outcome, options) : deniedResponse(outcome.error, req);
  };
}

export function httpCheckHandler(deps: AuthzDeps, options: CheckOptions = {}) {
  return (check: HttpAuthzCheck): HttpAuthzAnswer => {
    const req = requestFromHttpCheck(check);
    const outcome = decideAudited(req, deps, options);
    return outcome.ok ? okHttpAnswer(outcome, options) : deniedHttpAnswer(outcome.error, req);
  };
}
