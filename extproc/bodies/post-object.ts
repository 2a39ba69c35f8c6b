// POST Object (browser form uploads): the credentials are inside the body, in the form fields that
// precede the file. So this is the second place (after signed aws-chunked uploads) where a request
// body passes through Node: the fields are held until the file part starts, the form is
// authenticated and re-signed for the backend, and from then on the body streams through as is.
//
// Envoy holds the request headers while it buffers the body's first bytes (BUFFERED_PARTIAL, up to
// its buffer limit), so the answer to that one body message can set the content-length of the form
// as re-signed; the rest of the body then streams past Node untouched.
import type { AccessControl } from '../../access/access-control.ts';
import type { AuditTrail } from '../../access/audit.ts';
import { backendFormFields } from '../../backends/form-signer.ts';
import { CLIENT_AUTH_HEADERS } from '../../backends/request-plan.ts';
import { assertContained } from '../../backends/fs-containment.ts';
import type { BackendConfig } from '../../core/config/types.ts';
import { errors } from '../../core/errors.ts';
import { missingFormField } from '../../access/identity/post-form.ts';
import { formBoundary, formKey, formValue, maxPostPreDataExceeded, parseFormPrefix, renderFields, type FormField } from '../../core/s3/post-form.ts';
import { assertSafeKey } from '../../core/s3/request.ts';
import type { SigningKeyCache } from '../../core/sigv4/signing-key.ts';
import { POST_OBJECT_METADATA_NAMESPACE } from '../../wire/names.ts';
import type { RouteDecision } from '../../wire/route-decision.ts';
import type { BodyOutput, BodyStage } from './body-stage.ts';

export interface PostObjectContext {
  access: AccessControl;
  keys: SigningKeyCache;
  decision: RouteDecision;
  backend: BackendConfig;
  now: Date;
}

/** Headers of the client's request the backend must not get: its own auth, and a length that changes. */
export const POST_FORM_REMOVED_HEADERS = [...CLIENT_AUTH_HEADERS, 'content-length'];

export class PostFormStage implements BodyStage {
  private pending = true;
  private readonly boundary: string;
  private readonly declaredLength: number;
  private readonly trail: AuditTrail;

  constructor(private readonly ctx: PostObjectContext, private readonly headers: Record<string, string>) {
    this.trail = { operation: 'PostObject', bucket: ctx.decision.bucket };
    this.boundary = formBoundary(headers['content-type']);
    const declared = headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared)) throw errors.missingContentLength();
    this.declaredLength = Number(declared);
  }

  get awaiting(): boolean {
    return this.pending;
  }

  get deciding(): AuditTrail | undefined {
    return this.pending ? this.trail : undefined;
  }

  /** The first body message holds Envoy's partial buffer; everything after it streams past Node. */
  onBody(chunk: Buffer, end: boolean): BodyOutput {
    if (!this.pending) return { body: chunk };
    this.pending = false;
    const out = this.rewrite(chunk, end);
    // Envoy drops a content-length set here; the route puts this one back (envoy/routes.ts).
    return { body: out, metadata: { [POST_OBJECT_METADATA_NAMESPACE]: { content_length: String(this.declaredLength - chunk.length + out.length) } } };
  }

  /**
   * The form for the backend from the body's first bytes (Envoy's partial buffer, or the whole body
   * when `complete`): the fields re-signed, then the client's bytes from the file part on.
   */
  private rewrite(head: Buffer, complete: boolean): Buffer {
    // Throws MaxPostPreDataLengthExceeded itself once the fields cannot fit the limit.
    const prefix = parseFormPrefix(head, this.boundary, complete);
    // Envoy's partial buffer is far larger than the limit on the fields, so this is a short body.
    if (!prefix) throw maxPostPreDataExceeded();
    const fields = this.authorizedFields(prefix.fields, prefix.filename);
    return Buffer.concat([renderFields(fields, this.boundary), head.subarray(prefix.fileDelimiterStart)]);
  }

  /** Who signed the form, whether they may write there, and the fields for the backend. */
  private authorizedFields(fields: FormField[], filename: string): FormField[] {
    const { access, keys, decision: d, backend, now } = this.ctx;
    // The key comes first, as S3 checks it: present, and within the gateway's key rules both as sent
    // and with ${filename} filled in (backends differ in whether they substitute it).
    const key = formKey(fields, filename);
    if (key === undefined) throw missingFormField('key');
    this.trail.key = key;
    for (const k of new Set([formValue(fields, 'key')!, key])) {
      assertSafeKey(k);
      if (backend.filesystem) assertContained(backend.filesystem.path, d.realBucket!, k);
    }
    const auth = access.authenticateForm(fields, now);
    this.trail.identity = auth.identity;
    // Write on the key the form names (with ${filename} filled in, as the object will be called).
    access.assertAllowed(auth.identity, { operation: 'PostObject', method: 'POST', bucket: d.bucket!, key, sourceIp: d.sourceIp ?? '', headers: this.headers }, now, this.trail);
    const target = { clientBucket: d.bucket!, realBucket: d.realBucket! };
    return backendFormFields(fields, auth.policy, target, { ...backend.credentials, region: backend.region }, now, keys);
  }
}
