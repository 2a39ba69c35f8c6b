// What one ext_proc stream does, decided (pure) from ext_authz's ticket and the request headers: the
// request-headers answer (header mutations, mode override), the body stage and the response stage.
import type { AccessControl } from '../access/access-control.ts';
import type { AuditSink } from '../access/audit.ts';
import type { BucketMap } from '../core/buckets.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { setHeader } from '../wire/headers.ts';
import { REQUEST_HEADERS_ONLY, withRequestBody, withResponseHeaders, type ProcessingMode } from '../wire/modes.ts';
import { immediateResponse } from '../wire/replies.ts';
import type { ExtProcWork } from '../wire/route-decision.ts';
import type { BodyStage } from './bodies/body-stage.ts';
import { POST_FORM_REMOVED_HEADERS, PostFormStage } from './bodies/post-object.ts';
import { SignedChunksStage } from './bodies/signed-chunks.ts';
import { DeleteObjectsStage } from './bodies/delete-objects.ts';
import { BackendSigner } from '../backends/signer.ts';
import { listBucketsParams, listBucketsXml } from './responses/list-buckets.ts';
import type { Hidden } from './responses/list-filter.ts';
import { policyHidden } from './responses/list-policy.ts';
import { accountOf } from './responses/rewrite-xml.ts';
import { XmlResponseStage } from './responses/xml-response.ts';

/** Built once at config load. */
export interface ExtProcDeps {
  access: AccessControl;
  buckets: BucketMap;
  /** Derived signing keys of the backends' credentials (the users' stay inside access/). */
  keys: SigningKeyCache;
  /** The region every bucket is shown in. */
  region: string;
  startedAt: Date;
  now: () => Date;
  /** Absent: no audit log. */
  audit?: AuditSink;
}

type Msg = Record<string, any>;

export interface StreamPlan {
  /** The answer to the request-headers message. */
  headers: Msg;
  body?: BodyStage;
  response?: XmlResponseStage;
}

function queryOf(headers: Record<string, string>): URLSearchParams {
  const path = headers[':path'] ?? '/';
  const q = path.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
}

/**
 * A filtered listing's entries are asked about as ext_authz asked about the listing: the same identity,
 * operation, delimiter, source address and instant (the ticket's). The headers are those ext_proc
 * receives: the client's, but for the ones ext_authz set for the backend (x-amz-date and
 * x-amz-content-sha256 among them).
 */
function listingHidden(work: ExtProcWork, headers: Record<string, string>, deps: ExtProcDeps): Hidden {
  const { decision: d } = work;
  const listing = {
    operation: d.op, method: headers[':method'] ?? 'GET', bucket: d.bucket!, key: '',
    delimiter: queryOf(headers).get('delimiter') ?? '', sourceIp: d.sourceIp, headers,
  };
  return policyHidden(deps.access, { principal: d.principal, accessKeyId: d.accessKeyId, presigned: d.presigned }, listing, decidedAt(work, deps));
}

/** The instant ext_authz decided at, for decisions ext_proc makes on its behalf. */
function decidedAt({ ticket }: ExtProcWork, deps: ExtProcDeps): Date {
  return ticket.requestTime === undefined ? deps.now() : new Date(ticket.requestTime);
}

export function planStream(work: ExtProcWork, headers: Record<string, string>, deps: ExtProcDeps): StreamPlan {
  const { decision: d, ticket } = work;
  const stages = new Set(ticket.stages);
  const requestId = headers['x-request-id'] ?? '';
  if (stages.has('list-buckets')) {
    const params = listBucketsParams(queryOf(headers));
    const visible = deps.access.visibleBuckets(d, deps.buckets.configured(), deps.now(), d.sourceIp);
    return { headers: immediateResponse(200, listBucketsXml(accountOf(d), visible, deps.startedAt, params), requestId) };
  }
  const backend = deps.buckets.backend(d.backend!)!;
  let mode: ProcessingMode = REQUEST_HEADERS_ONLY;
  let remove: string[] = [];
  let body: BodyStage | undefined;
  let deleteBatch: DeleteObjectsStage | undefined;
  if (stages.has('post-form')) {
    body = new PostFormStage({ access: deps.access, keys: deps.keys, decision: d, backend, now: deps.now() }, headers);
    remove = POST_FORM_REMOVED_HEADERS;
    mode = withRequestBody(mode, 'BUFFERED_PARTIAL');
  } else if (stages.has('delete-objects')) {
    const signer = new BackendSigner(backend, deps.keys);
    const dataDir = backend.filesystem?.path;
    body = deleteBatch = new DeleteObjectsStage({ access: deps.access, signer, decision: d, decidedAt: decidedAt(work, deps), now: deps.now, ...(dataDir !== undefined && { dataDir }) }, headers);
    mode = withRequestBody(mode, 'BUFFERED');
  } else if (stages.has('signed-chunks') && ticket.chunks) {
    body = new SignedChunksStage(ticket.chunks, headers, deps.access, backend, deps.keys);
    mode = withRequestBody(mode, 'STREAMED');
  }
  let response: XmlResponseStage | undefined;
  if (stages.has('rewrite-errors')) {
    response = new XmlResponseStage({
      decision: d, backend, stages: ticket.stages, scheme: headers[':scheme'] ?? 'http', clientAuthority: ticket.clientAuthority, region: deps.region,
      ...(stages.has('listing-policy-filter') && { policyHidden: listingHidden(work, headers, deps) }),
      ...(deleteBatch && { deniedEntries: () => deleteBatch.deniedEntries }),
    });
    mode = withResponseHeaders(mode);
  }
  const mutation = remove.length > 0 ? { header_mutation: { remove_headers: remove } } : {};
  return { headers: { request_headers: { response: { status: 'CONTINUE', ...mutation } }, mode_override: mode }, body, response };
}

/** The answer to a response-headers message: Location in the client's view, the body asked for when it must change. */
export function responseHeadersAnswer(stage: XmlResponseStage, headers: Record<string, string>): { msg: Msg; wantBody: boolean } {
  const { location, wantBody } = stage.onHeaders(headers);
  const response: Msg = { status: 'CONTINUE' };
  if (location !== undefined) response.header_mutation = { set_headers: [setHeader('location', location)] };
  return { msg: { response_headers: { response } }, wantBody };
}
