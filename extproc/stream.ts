// One ext_proc stream = one HTTP request: the message loop. Everything it does was planned from
// ext_authz's ticket (plan.ts); here messages are only routed to the stages.
import { auditLine, type AuditTrail } from '../access/audit.ts';
import { errors, S3Error } from '../core/errors.ts';
import { headerMapToRecord, setHeader, toStruct, type HeaderMap } from '../wire/headers.ts';
import { RESPONSE_BODY_BUFFERED } from '../wire/modes.ts';
import { AUTHZ_METADATA_NAMESPACE } from '../wire/names.ts';
import { immediateError, immediateResponse } from '../wire/replies.ts';
import { wasChecked, workFromStruct, type RouteDecision } from '../wire/route-decision.ts';
import type { BodyStage } from './bodies/body-stage.ts';
import { planStream, responseHeadersAnswer, type ExtProcDeps } from './plan.ts';
import type { XmlResponseStage } from './responses/xml-response.ts';

type Msg = Record<string, any>;

export class ExtProcStream {
  private decision?: RouteDecision;
  private body?: BodyStage;
  private response?: XmlResponseStage;
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
      return immediateError(err, this.decision?.bucket ?? '', this.requestId);
    }
  }

  private onRequestHeaders(msg: Msg): Msg {
    const headers = headerMapToRecord(msg.request_headers.headers);
    this.requestId = headers['x-request-id'] ?? '';
    const metadata = msg.metadata_context?.filter_metadata?.[AUTHZ_METADATA_NAMESPACE];
    const work = workFromStruct(metadata);
    if (!work) {
      // Allowed with nothing to do (a mesh whose routes cannot switch ext_proc off): unchanged.
      if (wasChecked(metadata)) return { request_headers: { response: {} } };
      // Neither ticket nor mark: ext_authz did not allow this request. Fail closed.
      throw errors.accessDenied();
    }
    this.decision = work.decision;
    const plan = planStream(work, headers, this.deps);
    this.body = plan.body;
    this.response = plan.response;
    return plan.headers;
  }

  private onRequestBody(chunk: Buffer | undefined, end: boolean): Msg {
    if (!this.body) return { request_body: { response: { status: 'CONTINUE' } } };
    const deciding = this.deps.audit && this.body.deciding;
    let out;
    try {
      out = this.body.onBody(chunk ?? Buffer.alloc(0), end);
    } catch (e) {
      if (deciding) this.audit(deciding, e instanceof S3Error ? e : errors.internal());
      throw e;
    }
    if (deciding) this.audit(deciding);
    if (this.deps.audit) for (const trail of out.refused ?? []) this.audit(trail, errors.accessDenied());
    if (out.answer) return immediateResponse(out.answer.status, out.answer.xml, this.requestId);
    const response: Msg = { status: 'CONTINUE', body_mutation: { body: out.body } };
    if (out.headers) response.header_mutation = { set_headers: out.headers.set.map(([k, v]) => setHeader(k, v)), remove_headers: out.headers.remove };
    const reply: Msg = { request_body: { response } };
    if (out.metadata) {
      reply.dynamic_metadata = { fields: Object.fromEntries(Object.entries(out.metadata).map(([ns, f]) => [ns, { structValue: toStruct(f) }])) };
    }
    return reply;
  }

  /** The audit line of a decision a body stage made (the check's own line is ext_authz's). */
  private audit(trail: AuditTrail, error?: S3Error): void {
    const facts = { ...trail, time: this.deps.now(), requestId: this.requestId, sourceIp: this.decision?.sourceIp ?? '', allowed: !error };
    this.deps.audit!.write(auditLine(error ? { ...facts, error } : facts));
  }

  /** A request body is streaming through this stream (or its first bytes are awaited) and has not ended yet. */
  awaitingBody(): boolean {
    return this.body?.awaiting === true;
  }

  /** The client stopped sending the body: end the request as S3 does. */
  bodyTimedOut(): Msg {
    this.body = undefined;
    const err = new S3Error('RequestTimeout', 400, 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.');
    return immediateError(err, this.decision?.bucket ?? '', this.requestId);
  }

  private onResponseHeaders(map: HeaderMap): Msg {
    if (!this.response) return { response_headers: { response: { status: 'CONTINUE' } } };
    const { msg, wantBody } = responseHeadersAnswer(this.response, headerMapToRecord(map));
    if (wantBody) msg.mode_override = RESPONSE_BODY_BUFFERED;
    return msg;
  }

  private onResponseBody(body: Buffer): Msg {
    const out = this.response ? this.response.onBody(body) : body;
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
