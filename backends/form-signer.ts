// A POST Object form as the backend must receive it: re-signed with the backend's key for its own
// bucket name (the client's signature was checked in access/identity/post-form.ts).
import { type FormField, formValue } from '../core/s3/post-form.ts';
import { type PostPolicy, rewritePolicy } from '../core/s3/post-policy.ts';
import { ALGORITHM } from '../core/sigv4/scope.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { formatAmzDate } from '../core/sigv4/time.ts';
import { signatureFor } from '../core/sigv4/verify.ts';

/**
 * The form as the backend must receive it: signed with the backend's key for its own bucket name,
 * the policy's conditions on the changed fields rewritten (see rewritePolicy), every other field
 * unchanged and in place. A repeated replaced field is sent once, where it first appeared.
 */
export function backendFormFields(
  fields: FormField[],
  policy: PostPolicy,
  target: { clientBucket: string; realBucket: string },
  backend: { accessKeyId: string; secretAccessKey: string; region: string },
  now: Date,
  keyCache: SigningKeyCache,
): FormField[] {
  const amzDate = formatAmzDate(now);
  const day = amzDate.slice(0, 8);
  const credential = `${backend.accessKeyId}/${day}/${backend.region}/s3/aws4_request`;
  const changed = new Map([
    ['bucket', { clientValue: target.clientBucket, newValue: target.realBucket }],
    ['x-amz-algorithm', { clientValue: formValue(fields, 'x-amz-algorithm'), newValue: ALGORITHM }],
    ['x-amz-credential', { clientValue: formValue(fields, 'x-amz-credential'), newValue: credential }],
    ['x-amz-date', { clientValue: formValue(fields, 'x-amz-date'), newValue: amzDate }],
  ]);
  const policyBase64 = Buffer.from(rewritePolicy(policy, changed), 'utf8').toString('base64');
  const values = new Map([...changed].map(([name, v]) => [name, v.newValue]));
  values.set('policy', policyBase64);
  const key = keyCache.get(backend.accessKeyId, backend.secretAccessKey, day, backend.region, 's3');
  values.set('x-amz-signature', signatureFor(policyBase64, key));

  const sent = new Set<string>();
  return fields.flatMap((f) => {
    const name = f.name.toLowerCase();
    const value = values.get(name);
    if (value === undefined) return [f];
    if (sent.has(name)) return [];
    sent.add(name);
    return [{ name: f.name, value }];
  });
}
