// The request as the backend must receive it, decided in ext_authz so that a plain request needs no
// second gRPC call: target (real bucket, backend host), the backend's signature, the client's
// credentials dropped; and, for the few requests that need it, what ext_proc must do.
import type { BackendConfig } from '../core/config/types.ts';
import { errors, S3Error } from '../core/errors.ts';
import { responseRewrite } from '../core/s3/response-rewrite.ts';
import { parseAuthorizationHeader } from '../core/sigv4/auth-header.ts';
import { credentialScope } from '../core/sigv4/scope.ts';
import type { IncomingRequest } from '../core/sigv4/verify.ts';
import { assertRequestContained } from '../backends/fs-containment.ts';
import { CLIENT_AUTH_HEADERS, planBackendRequest, targetHeaders, type BackendRequestPlan, type UpstreamHeaders } from '../backends/request-plan.ts';
import type { BackendSigner } from '../backends/signer.ts';
import type { ChainSeed, ExtProcStage, ExtProcTicket, RouteDecision } from '../wire/route-decision.ts';
import { isSignedChunked } from './forwardable.ts';

export interface AuthzRequest extends IncomingRequest {
  /** Every header as received (lower-case names, repeated ones joined). */
  headers: Readonly<Record<string, string>>;
  /** The client's address as Envoy determined it (authz/input.ts), '' when unknown. */
  sourceIp: string;
}

export interface Upstream {
  headers: UpstreamHeaders;
  /** Present when ext_proc has work on this request. */
  ticket?: ExtProcTicket;
}

/** The client's own credentials the backend must not get; authorization is overwritten with ours. */
const REMOVED = CLIENT_AUTH_HEADERS.filter((h) => h !== 'authorization');

function seedOf(credential: ReturnType<typeof parseAuthorizationHeader>, datetime: string): ChainSeed {
  return { credential: `${credential.accessKeyId}/${credentialScope(credential)}`, datetime, signature: credential.signature };
}

function responseStages(d: RouteDecision, backend: BackendConfig, method: string, plan: BackendRequestPlan, policyFiltered: boolean): ExtProcStage[] {
  const r = responseRewrite({ op: d.op, method, query: plan.query, aliased: d.realBucket !== d.bucket, filesystem: backend.filesystem !== undefined, policyFiltered });
  const stages: ExtProcStage[] = [];
  if (r.errors) stages.push('rewrite-errors');
  if (r.success) stages.push('rewrite-success');
  if (r.urlEncoding) stages.push('listing-url-encoding');
  if (r.hideUnreachable) stages.push('listing-fs-hide');
  if (r.policyFilter) stages.push('listing-policy-filter');
  return stages;
}

/** Envoy's default buffer limit: a BUFFERED body past it gets Envoy's own 413 (not S3's XML). */
const MAX_BUFFERED_BODY = 1024 * 1024;

/** A batch ext_proc decides key by key arrives whole in one message: it must fit Envoy's buffer. */
function assertBufferable(req: AuthzRequest): void {
  const length = req.header('content-length');
  if (length === undefined || !/^\d+$/.test(length)) throw errors.missingContentLength();
  if (Number(length) > MAX_BUFFERED_BODY) throw new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.');
  if (req.header('x-amz-content-sha256')?.startsWith('STREAMING-')) {
    throw errors.invalidRequest('A DeleteObjects batch must be sent in one piece, not as aws-chunked.');
  }
}

/** A body ext_proc may rewrite must arrive as XML, not compressed (MinIO gzips listings for mc). */
function askUncompressed(set: Array<[string, string]>, stages: readonly ExtProcStage[]): Array<[string, string]> {
  return stages.includes('rewrite-errors') ? [...set, ['accept-encoding', 'identity']] : set;
}

/**
 * A DeleteObjects batch ext_proc decides key by key: one the policy allows only so, and every batch on
 * a filesystem backend (its keys, in the body, must each stay inside the data directory).
 */
function batchPerKey(d: RouteDecision, backend: BackendConfig, policyFiltered: boolean): boolean {
  return d.op === 'DeleteObjects' && (policyFiltered || backend.filesystem !== undefined);
}

/**
 * `policyFiltered`: a listing the policy allows only filtered (ext_proc leaves out what may not be
 * read), or a DeleteObjects batch allowed only key by key (ext_proc decides each key).
 */
export function planUpstream(req: AuthzRequest, d: RouteDecision, backend: BackendConfig, signer: BackendSigner, now: Date, policyFiltered = false): Upstream {
  const plan = planBackendRequest(d, backend, req.headers, req.rawQuery);
  if (backend.filesystem) assertRequestContained(backend.filesystem.path, d);
  const set = targetHeaders(plan);
  const clientAuthority = req.header('host') ?? '';
  // A preflight stays unsigned, as the browser sent it: the backend answers it as anonymous.
  if (d.op === 'CorsPreflight') return { headers: { set, remove: [] } };
  // The form in the body carries the credentials: ext_proc authenticates and re-signs it.
  if (d.op === 'PostObject') {
    const stages: ExtProcStage[] = ['post-form', 'rewrite-errors', 'rewrite-success'];
    return { headers: { set: askUncompressed(set, stages), remove: [] }, ticket: { stages, clientAuthority } };
  }
  const { authorization, amzDate } = signer.sign(req.method, plan, now);
  set.push(['authorization', authorization], ['x-amz-date', amzDate], ['x-amz-content-sha256', plan.headersToSign['x-amz-content-sha256']!]);
  if (d.copySource !== undefined) set.push(['x-amz-copy-source', d.copySource]);
  const stages = responseStages(d, backend, req.method, plan, policyFiltered);
  const perKey = batchPerKey(d, backend, policyFiltered);
  if (perKey) {
    assertBufferable(req);
    stages.unshift('delete-objects');
  }
  let chunks: ExtProcTicket['chunks'];
  if (isSignedChunked(req.header('x-amz-content-sha256'))) {
    const client = req.header('authorization');
    // Presigned requests carry no seed signature to chain from.
    if (client === undefined) throw errors.invalidRequest('Signed streaming uploads need Authorization header signing.');
    stages.unshift('signed-chunks');
    chunks = { client: seedOf(parseAuthorizationHeader(client), req.header('x-amz-date') ?? ''), backend: seedOf(parseAuthorizationHeader(authorization), amzDate) };
  }
  const headers = { set: askUncompressed(set, stages), remove: REMOVED };
  const requestTime = policyFiltered || perKey ? { requestTime: now.toISOString() } : {};
  return stages.length === 0 ? { headers } : { headers, ticket: { stages, clientAuthority, ...(chunks && { chunks }), ...requestTime } };
}
