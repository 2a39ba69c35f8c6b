// One ext_proc stream = one HTTP request. This state machine turns Envoy's messages into the
// backend request (rewrite + re-sign) and, only where needed, rewrites the response body.
import { GatewayModel } from '../core/gateway-model.ts';
import { AUTHZ_METADATA_NAMESPACE, POST_OBJECT_METADATA_NAMESPACE, decisionFromStruct, type RouteDecision } from '../core/route-decision.ts';
import { errors, errorXml, S3Error } from '../core/errors.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { headerMapToRecord, setHeader, toStruct, type HeaderMap } from '../protos/headers.ts';
import { CLIENT_AUTH_HEADERS, planBackendRequest } from '../backends/request-plan.ts';
import { listBucketsParams, listBucketsXml } from './list-buckets.ts';
import { AwsChunkedResigner } from './aws-chunked.ts';
import { chainEnds, isSignedChunked } from './chain-ends.ts';
import { assertRequestContained, isHidden } from '../backends/fs-containment.ts';
import { filterListing } from './list-filter.ts';
import { applyUrlEncoding, wantsUrlEncoding } from './list-encoding.ts';
import { accountOf, rewriteLocation, rewriteXml, type XmlRewrite } from './rewrite-xml.ts';
import { LISTINGS, responseRewrite } from './response-rewrite.ts';
import { PostObjectRewriter } from './post-object.ts';
import { formBoundary } from '../core/s3/post-form.ts';
import type { BackendConfig } from '../core/config/types.ts';
import { shownRegion } from '../core/config/model.ts';
import type { BackendSigner } from '../backends/signer.ts';

export interface ExtProcDeps {
  model: GatewayModel;
  signers: Map<string, BackendSigner>;
  /** Derived signing keys, shared with nothing secret-bearing outside this process. */
  keys: SigningKeyCache;
  startedAt: Date;
  now: () => Date;
}

// Every field set explicitly: in a mode_override an unset header mode means DEFAULT, which is SEND.
const RESPONSE_HEADERS_ONLY = {
  request_header_mode: 'SEND', response_header_mode: 'SEND', request_body_mode: 'NONE',
  response_body_mode: 'NONE', request_trailer_mode: 'SKIP', response_trailer_mode: 'SKIP',
};
const RESPONSE_BODY_BUFFERED = { ...RESPONSE_HEADERS_ONLY, response_body_mode: 'BUFFERED' };
const REQUEST_HEADERS_ONLY = { ...RESPONSE_HEADERS_ONLY, response_header_mode: 'SKIP' };

type Msg = Record<string, any>;

function immediate(status: number, body: string, requestId: string): Msg {
  return {
    immediate_response: {
      status: { code: status },
      headers: { set_headers: [setHeader('content-type', 'application/xml'), setHeader('x-amz-request-id', requestId)] },
      body: Buffer.from(body, 'utf8'),
    },
  };
}

export class ExtProcStream {
  private decision?: RouteDecision;
  private rewrite?: XmlRewrite;
  /** Successful bodies are rewritten too, not only error bodies. */
  private rewriteSuccess = false;
  /** The client asked for encoding-type=url on a listing: make sure it gets it. */
  private urlEncodeListing = false;
  /** Filesystem listings: keys the client may not reach (through a symlink) are left out. */
  private hidden?: (key: string) => boolean;
  private status = 0;
  /** Set for signed aws-chunked uploads: the request body streams through it. */
  private chunked?: AwsChunkedResigner;
  /** Set for POST Object: the form's first bytes come through it once, with the declared length. */
  private form?: { rewriter: PostObjectRewriter; declaredLength: number };
  private requestId = '';

  constructor(private readonly deps: ExtProcDeps) {}

  handle(msg: Msg): Msg {
    try {
      switch (msg.request) {
        case 'request_headers':
          return this.onRequestHeaders(msg);
        case 'response_headers':
          return this.onResponseHeaders(msg.response_headers.headers as HeaderMap);
        case 'request_body':
          return this.onRequestBody(msg.request_body.body as Buffer | undefined, msg.request_body.end_of_stream === true);
        case 'response_body':
          return this.onResponseBody(msg.response_body.body as Buffer);
        default:
          // Phases we never ask for; answer so Envoy is never left waiting.
          return { [msg.request]: {} };
      }
    } catch (e) {
      const err = e instanceof S3Error ? e : errors.internal();
      if (!(e instanceof S3Error)) console.error('ext_proc error:', e);
      return immediate(err.status, errorXml(err, this.decision?.bucket ?? '', this.requestId), this.requestId);
    }
  }

  private onRequestHeaders(msg: Msg): Msg {
    const headers = headerMapToRecord(msg.request_headers.headers);
    this.requestId = headers['x-request-id'] ?? '';
    const d = decisionFromStruct(msg.metadata_context?.filter_metadata?.[AUTHZ_METADATA_NAMESPACE]);
    // No decision means ext_authz did not run for this request: fail closed.
    if (!d) throw errors.accessDenied();
    this.decision = d;
    const rawPath = headers[':path'] ?? '/';
    const q = rawPath.indexOf('?');
    if (d.op === 'ListBuckets') {
      const params = listBucketsParams(new URLSearchParams(q < 0 ? '' : rawPath.slice(q + 1)));
      const xml = listBucketsXml(accountOf(d), this.deps.model.visibleBuckets(d.principal), this.deps.startedAt, params);
      return immediate(200, xml, this.requestId);
    }
    const backend = this.deps.model.backend(d.backend!)!;
    const plan = planBackendRequest(d, backend, headers, q < 0 ? '' : rawPath.slice(q + 1));
    if (backend.filesystem) assertRequestContained(backend.filesystem.path, d);
    const target = [
      setHeader(':path', plan.wireQuery ? `${plan.path}?${plan.wireQuery}` : plan.path),
      setHeader(':authority', plan.authority),
    ];
    // A preflight stays unsigned, as the browser sent it: the backend answers it as anonymous.
    if (d.op === 'CorsPreflight') return { request_headers: { response: { status: 'CONTINUE', header_mutation: { set_headers: target } } } };
    if (d.op === 'PostObject') return this.startPostObject(d, headers, target, backend);
    const { authorization, amzDate } = this.deps.signers.get(backend.name)!.sign(headers[':method']!, plan, this.deps.now());

    const set = [
      ...target,
      setHeader('authorization', authorization),
      setHeader('x-amz-date', amzDate),
      setHeader('x-amz-content-sha256', plan.headersToSign['x-amz-content-sha256']!),
    ];
    if (d.copySource !== undefined) set.push(setHeader('x-amz-copy-source', d.copySource));
    const remove = CLIENT_AUTH_HEADERS.filter((h) => h !== 'authorization');
    const response: Msg = { request_headers: { response: { status: 'CONTINUE', header_mutation: { set_headers: set, remove_headers: remove } } } };

    const listing = LISTINGS.has(d.op);
    if (backend.filesystem && listing) {
      const dataDir = backend.filesystem.path;
      this.hidden = (key) => isHidden(dataDir, d.realBucket!, key);
    }
    this.urlEncodeListing = listing && wantsUrlEncoding(plan.query);
    const needs = responseRewrite({
      op: d.op, method: headers[':method']!, query: plan.query, aliased: d.realBucket !== d.bucket,
      listingFixes: this.hidden !== undefined || this.urlEncodeListing,
    });
    if (needs.errors) {
      this.rewrite = this.xmlRewrite(d, backend, headers);
      this.rewriteSuccess = needs.success;
      response.mode_override = RESPONSE_HEADERS_ONLY;
    }
    if (isSignedChunked(headers['x-amz-content-sha256'])) {
      this.chunked = new AwsChunkedResigner(chainEnds(headers, this.deps.model, backend, authorization, amzDate, this.deps.keys));
      response.mode_override = { ...(response.mode_override ?? REQUEST_HEADERS_ONLY), request_body_mode: 'STREAMED' };
    }
    return response;
  }

  /** The form in the body authenticates the request: its first bytes go through PostObjectRewriter. */
  private startPostObject(d: RouteDecision, headers: Record<string, string>, target: Msg[], backend: BackendConfig): Msg {
    const boundary = formBoundary(headers['content-type']);
    const declared = headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared)) throw errors.missingContentLength();
    const rewriter = new PostObjectRewriter({ model: this.deps.model, keys: this.deps.keys, decision: d, boundary, now: this.deps.now() });
    this.form = { rewriter, declaredLength: Number(declared) };
    this.rewrite = this.xmlRewrite(d, backend, headers);
    this.rewriteSuccess = true;
    return {
      request_headers: { response: { status: 'CONTINUE', header_mutation: { set_headers: target, remove_headers: [...CLIENT_AUTH_HEADERS, 'content-length'] } } },
      mode_override: { ...RESPONSE_HEADERS_ONLY, request_body_mode: 'BUFFERED_PARTIAL' },
    };
  }

  private onRequestBody(chunk: Buffer | undefined, end: boolean): Msg {
    const body = chunk ?? Buffer.alloc(0);
    if (this.form) {
      const { rewriter, declaredLength } = this.form;
      this.form = undefined;
      const out = rewriter.rewrite(body, end);
      const length = declaredLength - body.length + out.length;
      return {
        request_body: { response: { status: 'CONTINUE', body_mutation: { body: out } } },
        // Envoy drops a content-length set here; the route puts this one back (envoy/bootstrap.ts).
        dynamic_metadata: { fields: { [POST_OBJECT_METADATA_NAMESPACE]: { structValue: toStruct({ content_length: String(length) }) } } },
      };
    }
    if (!this.chunked) return { request_body: { response: { status: 'CONTINUE' } } };
    const out = this.chunked.push(body);
    if (end) {
      this.chunked.end();
      this.chunked = undefined;
    }
    return { request_body: { response: { status: 'CONTINUE', body_mutation: { body: out } } } };
  }

  /** A request body is streaming through this stream (or its first bytes are awaited) and has not ended yet. */
  awaitingBody(): boolean {
    return this.chunked !== undefined || this.form !== undefined;
  }

  /** The client stopped sending the body: end the request as S3 does. */
  bodyTimedOut(): Msg {
    this.chunked = undefined;
    this.form = undefined;
    const err = new S3Error('RequestTimeout', 400, 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.');
    return immediate(err.status, errorXml(err, this.decision?.bucket ?? '', this.requestId), this.requestId);
  }

  private xmlRewrite(d: RouteDecision, backend: NonNullable<ReturnType<GatewayModel['backend']>>, headers: Record<string, string>): XmlRewrite {
    const e = backend.endpoint;
    const host = e.host.includes(':') ? `[${e.host}]` : e.host;
    const bases = [`${e.scheme}://${host}:${e.port}`, `${e.scheme}://${host}`];
    let authority = headers[':authority'] ?? '';
    if (authority.startsWith(`${d.bucket}.`)) authority = authority.slice(d.bucket!.length + 1);
    return {
      realBucket: d.realBucket!,
      virtualBucket: d.bucket!,
      pathStyleBases: backend.addressing === 'path' ? bases : [],
      bucketBases: backend.addressing === 'virtual' ? bases.map((b) => b.replace('://', `://${d.realBucket}.`)) : [],
      gatewayBase: `${headers[':scheme'] ?? 'http'}://${authority}`,
      account: accountOf(d),
      region: shownRegion(this.deps.model.config.listen),
    };
  }

  private onResponseHeaders(map: HeaderMap): Msg {
    const headers = headerMapToRecord(map);
    const status = Number(headers[':status'] ?? '0');
    const isXml = (headers['content-type'] ?? '').includes('xml');
    const wantBody = this.rewrite && isXml && (status >= 300 || this.rewriteSuccess);
    this.status = status;
    const response: Msg = { response_headers: { response: { status: 'CONTINUE' } } };
    // POST Object answers with the object's URL (or the form's redirect naming the bucket): the client's view.
    if (this.rewrite && headers['location'] !== undefined) {
      response.response_headers.response.header_mutation = { set_headers: [setHeader('location', rewriteLocation(headers['location'], this.rewrite))] };
    }
    if (wantBody) response.mode_override = RESPONSE_BODY_BUFFERED;
    return response;
  }

  private onResponseBody(body: Buffer): Msg {
    let xml = rewriteXml(body.toString('utf8'), this.rewrite!);
    // Listing fixes apply to listings only, never to an error document.
    if (this.status === 200) {
      if (this.hidden) xml = filterListing(xml, this.hidden);
      if (this.urlEncodeListing) xml = applyUrlEncoding(xml);
    }
    const out = Buffer.from(xml, 'utf8');
    return {
      response_body: {
        response: {
          status: 'CONTINUE',
          header_mutation: { set_headers: [setHeader('content-length', String(out.length))] },
          body_mutation: { body: out },
        },
      },
    };
  }
}
