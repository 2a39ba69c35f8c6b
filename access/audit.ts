// The audit log's record of one decision, as one JSON line. Only the fields named here reach it: never
// a header, a query string or anything that came with the credentials (secret, signature, token).
import { authMethod, type Identity } from './identity/identity.ts';
import type { AdmissionRuleRef } from './admission.ts';
import type { RuleRef } from './policy/compile.ts';
import { admissionRuleName, ruleName } from './rule-names.ts';

/** What a decision learned on its way, filled in as far as it got (a refusal may come before any of it). */
export interface AuditTrail {
  /** Absent when the decision came before authentication (admission, request shape, a POST form's route). */
  identity?: Identity;
  operation?: string;
  bucket?: string;
  /** Decoded. */
  key?: string;
  /** The policy rule that decided; absent for a default deny and for refusals outside the policy. */
  rule?: RuleRef | undefined;
  /** The admission rule that refused the request before authentication. */
  admission?: AdmissionRuleRef;
}

export interface AuditFacts extends AuditTrail {
  time: Date;
  /** Envoy's x-request-id, which the client gets as x-amz-request-id. */
  requestId: string;
  sourceIp: string;
  allowed: boolean;
  /** The answer to a refusal (an S3Error); for an allowed request the backend's status is not known yet. */
  error?: { status: number; code: string };
}

/** Where the lines go: the writer is the worker's (stdout or a file), the line is built here. */
export interface AuditSink {
  write(line: string): void;
}

const orNull = (s: string | undefined) => (s === undefined || s === '' ? null : s);

export function auditLine(f: AuditFacts): string {
  return `${JSON.stringify({
    time: f.time.toISOString(),
    requestId: orNull(f.requestId),
    principal: f.identity?.principal ?? null,
    authMethod: f.identity ? authMethod(f.identity) : null,
    keyId: f.identity?.accessKeyId ?? null,
    sourceIp: orNull(f.sourceIp),
    operation: f.operation ?? null,
    bucket: orNull(f.bucket),
    key: orNull(f.key),
    decision: f.allowed ? 'allow' : 'deny',
    rule: f.admission ? admissionRuleName(f.admission) : f.rule ? ruleName(f.rule) : null,
    status: f.error?.status ?? null,
    error: f.error?.code ?? null,
  })}\n`;
}
