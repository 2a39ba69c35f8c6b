// A DeleteObjects batch broader than the user's grant (ext_authz found that some delete allow reaches
// into the bucket, not one that covers it), or any batch on a filesystem backend: decided key by key. Envoy buffers the body (BUFFERED: the
// headers are held, so they can still change); it is checked against every digest the client sent,
// each key is asked as its own DeleteObject, the allowed ones go on to the backend in a new body with
// new digests and a new signature, and the refused ones come back as AccessDenied entries merged into
// the backend's result. When none is allowed the backend is not asked at all.
import type { AccessControl, Identity } from '../../access/access-control.ts';
import type { AuditTrail } from '../../access/audit.ts';
import { assertContained } from '../../backends/fs-containment.ts';
import { forwardedPlan } from '../../backends/request-plan.ts';
import type { BackendSigner } from '../../backends/signer.ts';
import { errors, S3Error } from '../../core/errors.ts';
import { assertBodyDigests, BODY_DIGEST_HEADERS, bodyDigests, hasBodyDigest } from '../../core/s3/body-digest.ts';
import { accessDeniedEntries, deleteResultXml, parseDeleteRequest, renderDeleteRequest, type DeleteObjectEntry } from '../../core/s3/delete-objects.ts';
import { assertSafeKey } from '../../core/s3/request.ts';
import type { RouteDecision } from '../../wire/route-decision.ts';
import type { BodyOutput, BodyStage } from './body-stage.ts';

export interface DeleteObjectsContext {
  access: AccessControl;
  signer: BackendSigner;
  decision: RouteDecision;
  /** A filesystem backend's data directory: each key must stay inside it. */
  dataDir?: string;
  /** The instant ext_authz decided the batch at: each key is asked then, so conditions agree. */
  decidedAt: Date;
  now: () => Date;
}

const missingDigest = () => errors.invalidRequest('Missing required header for this request: Content-MD5 or x-amz-checksum-*');

export class DeleteObjectsStage implements BodyStage {
  private pending = true;
  /** The AccessDenied entries for the response, once the body was decided. */
  private denied = '';

  constructor(private readonly ctx: DeleteObjectsContext, private readonly headers: Readonly<Record<string, string>>) {}

  get awaiting(): boolean {
    return this.pending;
  }

  /** The refusals to merge into the backend's <DeleteResult>. */
  get deniedEntries(): string {
    return this.denied;
  }

  onBody(chunk: Buffer, end: boolean): BodyOutput {
    // BUFFERED: the whole body is this one message (Envoy answers 413 itself past its buffer limit).
    if (!this.pending) throw errors.internal();
    this.pending = false;
    if (!end) throw errors.incompleteBody();
    // S3 requires a batch's digest.
    if (!hasBodyDigest(this.headers)) throw missingDigest();
    assertBodyDigests(this.headers, chunk);
    const batch = parseDeleteRequest(chunk.toString('utf8'));
    const allowed: DeleteObjectEntry[] = [];
    const refused: DeleteObjectEntry[] = [];
    const trails: AuditTrail[] = [];
    for (const o of batch.objects) {
      const trail = this.refusal(o);
      if (trail) trails.push(trail);
      (trail ? refused : allowed).push(o);
    }
    this.denied = accessDeniedEntries(refused);
    if (allowed.length === 0) return { body: chunk, answer: { status: 200, xml: deleteResultXml(this.denied) }, refused: trails };
    const body = Buffer.from(renderDeleteRequest(batch.quiet, allowed), 'utf8');
    return { body, headers: this.backendHeaders(body), refused: trails };
  }

  /** Undefined when the key may be deleted; else what the audit says of its refusal. */
  private refusal(o: DeleteObjectEntry): AuditTrail | undefined {
    const d = this.ctx.decision;
    const identity: Identity = { principal: d.principal, accessKeyId: d.accessKeyId, presigned: d.presigned };
    // As a DELETE of the key (of one of its versions, too) would be asked.
    const trail: AuditTrail = { identity, operation: 'DeleteObject', bucket: d.bucket!, key: o.key };
    try {
      // A key the gateway refuses anywhere is refused here too, as the batch's own entry.
      assertSafeKey(o.key);
      if (this.ctx.dataDir !== undefined) assertContained(this.ctx.dataDir, d.realBucket!, o.key);
    } catch (e) {
      if (e instanceof S3Error) return trail;
      throw e;
    }
    const request = { operation: 'DeleteObject', method: 'DELETE', bucket: d.bucket!, key: o.key, sourceIp: d.sourceIp ?? '', headers: this.headers };
    const verdict = this.ctx.access.verdict(identity, request, this.ctx.decidedAt);
    return verdict.allowed ? undefined : { ...trail, rule: verdict.deciding };
  }

  /** The new body's digests, the client's removed, signed again with the backend's credentials. */
  private backendHeaders(body: Buffer): NonNullable<BodyOutput['headers']> {
    const digests = bodyDigests(body);
    const plan = forwardedPlan(this.headers, digests, BODY_DIGEST_HEADERS);
    const { authorization, amzDate } = this.ctx.signer.sign(this.headers[':method'] ?? 'POST', plan, this.ctx.now());
    const set: Array<[string, string]> = [...Object.entries(digests), ['authorization', authorization], ['x-amz-date', amzDate], ['content-length', String(body.length)]];
    return { set, remove: BODY_DIGEST_HEADERS.filter((h) => h !== 'content-md5') };
  }
}
