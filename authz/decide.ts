// The whole ext_authz decision as a pure function: identity -> target -> grant -> route.
// I/O (gRPC, clock) stays in the server; this is what the unit tests exercise.
import { clusterName, type GatewayModel } from '../core/gateway-model.ts';
import type { RouteDecision } from '../core/route-decision.ts';
import { errors, S3Error } from '../core/errors.ts';
import { classifyOperation } from '../core/s3/operation.ts';
import { parseS3Target, type S3Target } from '../core/s3/request.ts';
import { requestShapeError } from '../core/s3/request-shape.ts';
import { uriEncode } from '../core/sigv4/canonical.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { verifySigV4, type IncomingRequest } from '../core/sigv4/verify.ts';
import { crossBackendCopy, formatCopySource, parseCopySource } from './copy-source.ts';

export interface AuthzContext {
  model: GatewayModel;
  keyCache: SigningKeyCache;
  now: Date;
}

export type AuthzOutcome =
  | { ok: true; cluster: string; decision: RouteDecision }
  | { ok: false; error: S3Error };

function isAnonymous(req: IncomingRequest): boolean {
  return req.header('authorization') === undefined && !/(^|&)X-Amz-(Algorithm|Credential|Signature)=/.test(req.rawQuery);
}

/** SigV2 presigned URLs (aws-cli v1's `s3 presign` default) are refused clearly, not as anonymous. */
function assertNotSigV2Query(req: IncomingRequest): void {
  if (/(^|&)AWSAccessKeyId=/.test(req.rawQuery) && /(^|&)Signature=/.test(req.rawQuery)) {
    throw errors.invalidRequest('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  }
}

/** Who is asking: a user name, or undefined for anonymous access under open_access. */
function authenticate(req: IncomingRequest, ctx: AuthzContext): { principal?: string; accessKeyId?: string; presigned: boolean } {
  if (isAnonymous(req)) {
    assertNotSigV2Query(req);
    if (ctx.model.config.openAccess) return { presigned: false };
    throw errors.accessDenied();
  }
  const id = verifySigV4(req, (ak) => ctx.model.credential(ak)?.secret, ctx.now, ctx.keyCache, { region: ctx.model.config.listen.region });
  return { principal: ctx.model.credential(id.accessKeyId)!.user.name, accessKeyId: id.accessKeyId, presigned: id.presigned };
}

export function authorize(req: IncomingRequest, ctx: AuthzContext): AuthzOutcome {
  try {
    return { ok: true, ...decide(req, ctx) };
  } catch (e) {
    if (e instanceof S3Error) return { ok: false, error: e };
    throw e;
  }
}

/**
 * Refuses what the gateway cannot carry safely: a copy source hoisted into the query (a presigner
 * does that) would bypass the copy-source grant check; SigV4a chunk signatures cannot be
 * re-signed; a signed aws-chunked body must declare its decoded length.
 */
function assertForwardable(req: IncomingRequest): void {
  if (/(^|&)x-amz-copy-source/i.test(req.rawQuery)) {
    throw errors.invalidArgument('x-amz-copy-source must be sent as a header.');
  }
  const payload = req.header('x-amz-content-sha256') ?? '';
  if (payload.startsWith('STREAMING-AWS4-ECDSA')) {
    throw errors.notImplemented('SigV4a (ECDSA) signed streaming uploads are not supported; use STREAMING-AWS4-HMAC-SHA256-PAYLOAD.');
  }
  if (payload.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD') && !/^\d+$/.test(req.header('x-amz-decoded-content-length') ?? '')) {
    throw new S3Error('MissingContentLength', 411, 'You must provide the x-amz-decoded-content-length HTTP header.');
  }
}

/**
 * Requests whose credentials are not in the headers, routed before anyone is known:
 * - a CORS preflight carries none by design (browsers never sign it): it goes unsigned to the
 *   bucket's backend, which answers from the bucket's CORS configuration (set through the gateway
 *   with PutBucketCors, under the usual grants);
 * - a POST Object form carries them in its body: ext_proc authenticates the form before any of it
 *   reaches the backend (see extproc/post-object.ts).
 * Either reveals whether a bucket name is configured, as S3 reveals whether a bucket exists.
 */
function routeBeforeAuth(op: 'CorsPreflight' | 'PostObject', target: S3Target, ctx: AuthzContext): { cluster: string; decision: RouteDecision } {
  if (target.bucket === undefined) throw errors.accessDenied();
  const resolved = ctx.model.resolveBucket(target.bucket);
  if (!resolved) throw errors.noSuchBucket(target.bucket);
  return {
    cluster: clusterName(resolved.backend.name),
    decision: {
      op,
      bucket: target.bucket,
      realBucket: resolved.realBucket,
      backend: resolved.backend.name,
      encodedKey: uriEncode(target.key, false),
      presigned: false,
    },
  };
}

function decide(req: IncomingRequest, ctx: AuthzContext): { cluster: string; decision: RouteDecision } {
  const { model } = ctx;
  const target = parseS3Target(req.rawPath, req.header('host') ?? '', model.config.listen.domain);
  const query = new URLSearchParams(req.rawQuery);
  const copySourceHeader = req.header('x-amz-copy-source');
  const shapeError = requestShapeError({ method: req.method, bucket: target.bucket, key: target.key, query, copySource: copySourceHeader });
  if (shapeError) throw shapeError;
  if (req.method.toUpperCase() === 'OPTIONS' && isAnonymous(req)) return routeBeforeAuth('CorsPreflight', target, ctx);
  const op = classifyOperation(req.method, target.bucket, target.key, query, copySourceHeader !== undefined);
  if (op === 'PostObject') return routeBeforeAuth(op, target, ctx);
  const { principal, accessKeyId, presigned } = authenticate(req, ctx);
  assertForwardable(req);
  const encodedKey = uriEncode(target.key, false);

  if (target.bucket === undefined) {
    // Only a signed OPTIONS on the service gets here: there is nothing to preflight.
    if (op !== 'ListBuckets') throw errors.accessDenied();
    // Answered by ext_proc from the config; the cluster only has to exist for the route to match.
    return { cluster: clusterName(model.config.backends[0]!.name), decision: { op, principal, accessKeyId, encodedKey, presigned } };
  }
  // Grant before existence, so that a user learns nothing about buckets it may not use.
  if (!model.mayUse(principal, target.bucket)) throw errors.accessDenied();
  const resolved = model.resolveBucket(target.bucket);
  if (!resolved) throw errors.noSuchBucket(target.bucket);

  let copySource: string | undefined;
  if (copySourceHeader !== undefined) {
    const src = parseCopySource(copySourceHeader);
    if (!model.mayUse(principal, src.bucket)) throw errors.accessDenied();
    const srcResolved = model.resolveBucket(src.bucket);
    if (!srcResolved) throw errors.noSuchBucket(src.bucket);
    if (srcResolved.backend.name !== resolved.backend.name) throw crossBackendCopy();
    copySource = formatCopySource(srcResolved.realBucket, src);
  }
  return {
    cluster: clusterName(resolved.backend.name),
    decision: {
      op,
      principal,
      accessKeyId,
      bucket: target.bucket,
      realBucket: resolved.realBucket,
      backend: resolved.backend.name,
      encodedKey,
      presigned,
      copySource,
    },
  };
}
