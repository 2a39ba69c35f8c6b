// POST Object (browser form uploads): the credentials are inside the body, in the form fields that
// precede the file. So this is the second place (after signed aws-chunked uploads) where a request
// body passes through Node: the fields are held until the file part starts, the form is
// authenticated and re-signed for the backend, and from then on the body streams through as is.
//
// Envoy holds the request headers while it buffers the body's first bytes (BUFFERED_PARTIAL, up to
// its buffer limit), so the answer to that one body message can set the content-length of the form
// as re-signed; the rest of the body then streams past Node untouched.
import type { GatewayModel } from '../core/gateway-model.ts';
import type { RouteDecision } from '../core/route-decision.ts';
import { errors } from '../core/errors.ts';
import { authenticatePostForm, backendFormFields, missingFormField } from '../core/s3/post-auth.ts';
import { formKey, formValue, maxPostPreDataExceeded, parseFormPrefix, renderFields, type FormField } from '../core/s3/post-form.ts';
import { assertSafeKey } from '../core/s3/request.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { assertContained } from '../backends/fs-containment.ts';

export interface PostObjectContext {
  model: GatewayModel;
  keys: SigningKeyCache;
  decision: RouteDecision;
  boundary: string;
  now: Date;
}

export class PostObjectRewriter {
  constructor(private readonly ctx: PostObjectContext) {}

  /**
   * The form for the backend from the body's first bytes (Envoy's partial buffer, or the whole body
   * when `complete`): the fields re-signed, then the client's bytes from the file part on.
   */
  rewrite(head: Buffer, complete: boolean): Buffer {
    // Throws MaxPostPreDataLengthExceeded itself once the fields cannot fit the limit.
    const prefix = parseFormPrefix(head, this.ctx.boundary, complete);
    // Envoy's partial buffer is far larger than the limit on the fields, so this is a short body.
    if (!prefix) throw maxPostPreDataExceeded();
    const fields = this.authorizedFields(prefix.fields, prefix.filename);
    return Buffer.concat([renderFields(fields, this.ctx.boundary), head.subarray(prefix.fileDelimiterStart)]);
  }

  /** Who signed the form, whether they may write there, and the fields for the backend. */
  private authorizedFields(fields: FormField[], filename: string): FormField[] {
    const { model, keys, decision: d, now } = this.ctx;
    // The key comes first, as S3 checks it: present, and within the gateway's key rules both as sent
    // and with ${filename} filled in (backends differ in whether they substitute it).
    const key = formKey(fields, filename);
    if (key === undefined) throw missingFormField('key');
    const backend = model.backend(d.backend!)!;
    for (const k of new Set([formValue(fields, 'key')!, key])) {
      assertSafeKey(k);
      if (backend.filesystem) assertContained(backend.filesystem.path, d.realBucket!, k);
    }
    const auth = authenticatePostForm(fields, (ak) => model.credential(ak)?.secret, now, keys, model.config.listen.region);
    // A form without credentials would be an anonymous write: there is no public-write grant to allow it.
    if (!auth) throw errors.accessDenied();
    if (!model.mayUse(model.credential(auth.accessKeyId)!.user.name, d.bucket!)) throw errors.accessDenied();
    const target = { clientBucket: d.bucket!, realBucket: d.realBucket! };
    return backendFormFields(fields, auth.policy, target, { ...backend.credentials, region: backend.region }, now, keys);
  }
}
