// One hypothetical request put to the config's policies, for `policy test` and `policy explain`: who
// asks (a user of the config or anonymous, optionally other groups, auth method and key) and what
// (an operation of the action table on a bucket and key). The answer is AccessControl's own: admission
// first, then the policy, as the gateway decides; nothing here evaluates a rule. Bad input is a problem
// naming its field.
import { isIP } from 'node:net';
import type { GatewayConfig } from '../../core/config/types.ts';
import { OPERATIONS, isUnknownOperationName } from '../../core/s3/actions.ts';
import { SigningKeyCache } from '../../core/sigv4/signing-key.ts';
import { AccessControl, type AccessRequest, type Decision, type Identity } from '../access-control.ts';
import type { AdmissionRuleRef } from '../admission.ts';
import type { ListingVerdict } from '../policy/listing.ts';

export const AUTH_METHODS = ['sigv4', 'presigned', 'post-form'] as const;

export interface PrincipalSpec {
  /** A user of the config; absent: the anonymous principal. */
  user?: string;
  /** Instead of the user's groups (their policies and ${principal.groups} follow): "what if alice were in team-b". */
  groups?: string[];
  /** Default sigv4, or presigned when the request says so. */
  authMethod?: (typeof AUTH_METHODS)[number];
  /** One of the user's keys (principal.keyId); default its first. */
  keyId?: string;
}

export interface RequestSpec {
  operation: string;
  bucket?: string;
  key?: string;
  prefix?: string;
  delimiter?: string;
  /** Default: the operation's own method. */
  method?: string;
  sourceIp?: string;
  /** Lower-cased here, as the gateway has them. */
  headers?: Readonly<Record<string, string>>;
  presigned?: boolean;
}

/** An admission rule that refused the request before authentication, with the answer the client gets. */
export interface AdmissionRefusal {
  rule: AdmissionRuleRef;
  status: number;
  code: string;
}

/** The question as the gateway would have put it, and the answer. */
export interface Probed {
  identity: Identity;
  request: AccessRequest;
  /** Present when admission refused it: then the policies were not consulted (decision.rules is empty). */
  refusedBy?: AdmissionRefusal;
  decision: Decision;
  /** A listing served filtered when broader than the grant: its scope, as the gateway decides it. */
  listing?: ListingVerdict;
}

export type ProbeField = 'user' | 'groups' | 'auth_method' | 'key_id' | 'operation' | 'method' | 'source_ip';

export interface ProbeProblem {
  field: ProbeField;
  message: string;
}

/**
 * The HTTP method an operation of the table is sent with. Multipart steps, batch deletes, restores and
 * selects are POSTs; copies and part uploads PUTs; otherwise the name's verb says it.
 */
export function methodOf(operation: string): string {
  const unknown = /^([A-Z]+) /.exec(operation);
  if (unknown) return unknown[1]!;
  if (/^(CreateMultipartUpload|CompleteMultipartUpload|DeleteObjects|RestoreObject|SelectObjectContent|PostObject)$/.test(operation)) return 'POST';
  if (/^(CopyObject|UploadPart|UploadPartCopy|CreateBucket)$/.test(operation) || operation.startsWith('Put')) return 'PUT';
  if (operation === 'AbortMultipartUpload' || operation.startsWith('Delete')) return 'DELETE';
  return operation.startsWith('Head') ? 'HEAD' : 'GET';
}

export class PolicyProbe {
  private readonly users: ReadonlyMap<string, GatewayConfig['users'][number]>;
  /** One AccessControl per groups override (the config's own under ''), built on first use. */
  private readonly controls = new Map<string, AccessControl>();

  constructor(private readonly config: GatewayConfig) {
    this.users = new Map(config.users.map((u) => [u.name, u]));
  }

  ask(principal: PrincipalSpec, req: RequestSpec, now: Date): { ok: true; probed: Probed } | { ok: false; problems: ProbeProblem[] } {
    const problems = this.problems(principal, req);
    if (problems.length > 0) return { ok: false, problems };
    const presigned = principal.authMethod === 'presigned' || req.presigned === true;
    const user = principal.user === undefined ? undefined : this.users.get(principal.user)!;
    const identity: Identity = user
      ? { principal: user.name, accessKeyId: principal.keyId ?? user.accessKeys[0]?.accessKeyId ?? '', presigned, ...(principal.authMethod === 'post-form' && { postForm: true }) }
      : { presigned: false };
    const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const request: AccessRequest = {
      operation: req.operation,
      method: (req.method ?? methodOf(req.operation)).toUpperCase(),
      bucket: req.bucket ?? '',
      key: req.key ?? '',
      prefix: req.prefix ?? '',
      delimiter: req.delimiter ?? '',
      sourceIp: req.sourceIp ?? '',
      headers,
    };
    const control = this.control(principal);
    const admitted = control.admit({ method: request.method, sourceIp: request.sourceIp ?? '', bucket: req.bucket, key: request.key, authenticated: user !== undefined });
    if (admitted.action === 'deny' || admitted.action === 'reject') {
      const refusedBy = { rule: admitted.rule, status: admitted.error.status, code: admitted.error.code };
      return { ok: true, probed: { identity, request, refusedBy, decision: { allowed: false, rules: [] } } };
    }
    const decision = control.decide(identity, request, now);
    const listing = control.filtersKeys(identity, request.operation) ? { listing: control.listingVerdict(identity, request, now) } : {};
    return { ok: true, probed: { identity, request, decision, ...listing } };
  }

  private problems(principal: PrincipalSpec, req: RequestSpec): ProbeProblem[] {
    const problems: ProbeProblem[] = [];
    const user = principal.user === undefined ? undefined : this.users.get(principal.user);
    if (principal.user !== undefined && !user) problems.push({ field: 'user', message: `is not a user of the config (${[...this.users.keys()].join(', ') || 'none'})` });
    if (principal.user === undefined) {
      const given: Array<[ProbeField, unknown]> = [['groups', principal.groups], ['auth_method', principal.authMethod], ['key_id', principal.keyId]];
      for (const [field, value] of given) if (value !== undefined) problems.push({ field, message: 'is for a user, not the anonymous principal' });
    }
    if (user && principal.keyId !== undefined && !user.accessKeys.some((k) => k.accessKeyId === principal.keyId)) {
      problems.push({ field: 'key_id', message: `is not one of ${user.name}'s keys` });
    }
    if (req.presigned === true && principal.authMethod !== undefined && principal.authMethod !== 'presigned') {
      problems.push({ field: 'auth_method', message: `is ${principal.authMethod}, but the request is presigned` });
    }
    if (OPERATIONS[req.operation] === undefined && !isUnknownOperationName(req.operation)) {
      problems.push({ field: 'operation', message: `is not an operation of the action table (GetObject, PutObject, ListObjectsV2, …; README: "The action table")` });
    }
    if (req.method !== undefined && !/^[A-Za-z]+$/.test(req.method)) problems.push({ field: 'method', message: 'must be an HTTP method such as GET' });
    if (req.sourceIp !== undefined && isIP(req.sourceIp) === 0) problems.push({ field: 'source_ip', message: 'must be an IPv4 or IPv6 address' });
    return problems;
  }

  private control(principal: PrincipalSpec): AccessControl {
    const key = principal.groups === undefined ? '' : JSON.stringify([principal.user, principal.groups]);
    let control = this.controls.get(key);
    if (!control) {
      const users = principal.groups === undefined ? this.config.users : this.config.users.map((u) => (u.name === principal.user ? { ...u, groups: principal.groups } : u));
      control = new AccessControl({ ...this.config, users }, new SigningKeyCache());
      this.controls.set(key, control);
    }
    return control;
  }
}
