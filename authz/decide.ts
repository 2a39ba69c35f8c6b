// The whole ext_authz decision as a pure function, one phase after another:
//   request shape → admission → routes that precede identity → identity → forwardable → policy → resolve → upstream.
// I/O (gRPC, clock) stays in the server; this is what the unit tests exercise.
import type { AccessControl, AccessRequest, Identity } from '../access/access-control.ts';
import type { AuditTrail } from '../access/audit.ts';
import type { BackendSigner } from '../backends/signer.ts';
import type { BucketMap } from '../core/buckets.ts';
import { errors, S3Error } from '../core/errors.ts';
import { operationName } from '../core/s3/actions.ts';
import { classifyOperation } from '../core/s3/operation.ts';
import { parseS3Target, type S3Target } from '../core/s3/request.ts';
import { requestShapeError } from '../core/s3/request-shape.ts';
import { uriEncode } from '../core/sigv4/canonical.ts';
import { clusterName } from '../wire/names.ts';
import type { RouteDecision } from '../wire/route-decision.ts';
import { isAnonymous } from '../access/identity/anonymous.ts';
import { assertForwardable } from './forwardable.ts';
import { crossBackendCopy, formatCopySource, parseCopySource } from './copy-source.ts';
import { planUpstream, type AuthzRequest, type Upstream } from './upstream.ts';

/** Built once at config load. */
export interface AuthzDeps {
  access: AccessControl;
  buckets: BucketMap;
  signers: ReadonlyMap<string, BackendSigner>;
  /** listen.domain: virtual-host style requests are `bucket.<domain>`. */
  domain?: string;
}

export interface AuthzContext extends AuthzDeps {
  now: Date;
}

/** Either way with the trail of what was decided on (who, what, the deciding rule): the audit's facts. */
export type AuthzOutcome = (
  | { ok: true; cluster: string; decision: RouteDecision; upstream: Upstream }
  | { ok: false; error: S3Error }
) & { trail: AuditTrail };

export function authorize(req: AuthzRequest, ctx: AuthzContext): AuthzOutcome {
  // Filled in by the phases as they pass; a refusal keeps what was known when it came.
  const trail: AuditTrail = {};
  try {
    return { ok: true, ...decide(req, ctx, trail), trail };
  } catch (e) {
    if (e instanceof S3Error) return { ok: false, error: e, trail };
    throw e;
  }
}

type Decided = { cluster: string; decision: RouteDecision; upstream: Upstream };

function routed(req: AuthzRequest, ctx: AuthzContext, decision: RouteDecision, policyFiltered = false): Decided {
  const backend = ctx.buckets.backend(decision.backend!)!;
  return { cluster: clusterName(backend.name), decision, upstream: planUpstream(req, decision, backend, ctx.signers.get(backend.name)!, ctx.now, policyFiltered) };
}

/**
 * The policy's answer, AccessDenied when it refuses (the trail keeps the deciding rule); true when a user's listing is allowed
 * only filtered (a grant below its prefix): ext_proc then leaves out what the user may not read.
 */
function assertPolicy(identity: Identity, facts: AccessRequest, ctx: AuthzContext, trail: AuditTrail): boolean {
  if (!ctx.access.filtersKeys(identity, facts.operation)) {
    ctx.access.assertAllowed(identity, facts, ctx.now, trail);
    return false;
  }
  return ctx.access.assertKeys(identity, facts, ctx.now, trail) === 'filtered';
}

/**
 * Requests whose credentials are not in the headers, routed before anyone is known:
 * - a CORS preflight carries none by design (browsers never sign it): it goes unsigned to the
 *   bucket's backend, which answers from the bucket's CORS configuration (set through the gateway
 *   with PutBucketCors, under the usual grants);
 * - a POST Object form carries them in its body: ext_proc authenticates the form before any of it
 *   reaches the backend (see extproc/bodies/post-object.ts).
 * Either reveals whether a bucket name is configured, as S3 reveals whether a bucket exists.
 */
function routeBeforeIdentity(req: AuthzRequest, op: 'CorsPreflight' | 'PostObject', target: S3Target, ctx: AuthzContext): Decided {
  if (target.bucket === undefined) throw errors.accessDenied();
  const resolved = ctx.buckets.resolve(target.bucket);
  if (!resolved) throw errors.noSuchBucket(target.bucket);
  return routed(req, ctx, {
    op,
    bucket: target.bucket,
    realBucket: resolved.realBucket,
    backend: resolved.backend.name,
    encodedKey: uriEncode(target.key, false),
    presigned: false,
    sourceIp: req.sourceIp,
  });
}

/** Read on the copy source (as a GetObject of it), and its real name on the same backend. */
function resolveCopySource(header: string, identity: Identity, facts: AccessRequest, backend: string, ctx: AuthzContext, trail: AuditTrail): string {
  const src = parseCopySource(header);
  const source = { ...facts, operation: 'GetObject', method: 'GET', bucket: src.bucket, key: src.key, prefix: '', delimiter: '' };
  ctx.access.assertAllowed(identity, source, ctx.now, trail);
  const resolved = ctx.buckets.resolve(src.bucket);
  if (!resolved) throw errors.noSuchBucket(src.bucket);
  if (resolved.backend.name !== backend) throw crossBackendCopy();
  return formatCopySource(resolved.realBucket, src);
}

function decide(req: AuthzRequest, ctx: AuthzContext, trail: AuditTrail): Decided {
  const target = parseS3Target(req.rawPath, req.header('host') ?? '', ctx.domain);
  trail.bucket = target.bucket;
  trail.key = target.key;
  const query = new URLSearchParams(req.rawQuery);
  const copySourceHeader = req.header('x-amz-copy-source');
  const shapeError = requestShapeError({ method: req.method, bucket: target.bucket, key: target.key, query, copySource: copySourceHeader });
  if (shapeError) throw shapeError;
  const method = req.method.toUpperCase();
  const anonymous = isAnonymous(req);
  const op = classifyOperation(req.method, target.bucket, target.key, query, copySourceHeader !== undefined);
  trail.operation = op;
  // Before anyone is known; a POST form's credentials are in its body (checked in ext_proc).
  const admitted = ctx.access.admit({ method, sourceIp: req.sourceIp, bucket: target.bucket, key: target.key, authenticated: !anonymous || op === 'PostObject' });
  if (admitted.action === 'deny' || admitted.action === 'reject') {
    trail.admission = admitted.rule;
    throw admitted.error;
  }
  if (method === 'OPTIONS' && anonymous) {
    return routeBeforeIdentity(req, 'CorsPreflight', target, ctx);
  }
  if (op === 'PostObject') return routeBeforeIdentity(req, op, target, ctx);

  const identity = ctx.access.authenticate(req, ctx.now);
  trail.identity = identity;
  assertForwardable(req);
  const who = { principal: identity.principal, accessKeyId: identity.accessKeyId, presigned: identity.presigned, sourceIp: req.sourceIp };
  const encodedKey = uriEncode(target.key, false);

  if (target.bucket === undefined) {
    // Only a signed OPTIONS on the service gets here: there is nothing to preflight.
    if (op !== 'ListBuckets') throw errors.accessDenied();
    // A user is shown the buckets it may use; anonymous clients list buckets only where a rule says so
    // (open_access), as S3 refuses them: public prefixes do not make a bucket listable.
    if (identity.principal === undefined) ctx.access.assertAllowed(identity, { operation: op, method: req.method, bucket: '', key: '', sourceIp: req.sourceIp }, ctx.now, trail);
    // Answered by ext_proc from the config; the cluster only has to exist for the route to match.
    const [first] = ctx.signers.keys();
    return {
      cluster: clusterName(first!),
      decision: { op, ...who, encodedKey },
      upstream: { headers: { set: [], remove: [] }, ticket: { stages: ['list-buckets'], clientAuthority: req.header('host') ?? '' } },
    };
  }
  // Policy before existence, so that a user learns nothing about buckets it may not use.
  const facts: AccessRequest = {
    operation: operationName(op, req.method, target.key, query),
    method: req.method,
    bucket: target.bucket,
    key: target.key,
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') ?? '',
    sourceIp: req.sourceIp,
    headers: req.headers,
  };
  trail.operation = facts.operation;
  const filtered = assertPolicy(identity, facts, ctx, trail);
  const resolved = ctx.buckets.resolve(target.bucket);
  if (!resolved) throw errors.noSuchBucket(target.bucket);
  const backend = resolved.backend.name;
  const copySource = copySourceHeader === undefined ? undefined : resolveCopySource(copySourceHeader, identity, facts, backend, ctx, trail);
  return routed(req, ctx, { op, ...who, bucket: target.bucket, realBucket: resolved.realBucket, backend, encodedKey, copySource }, filtered);
}
