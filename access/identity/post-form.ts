// Authenticating a POST Object form: the client signs the base64 policy with a gateway user's
// secret. Checks and messages follow versitygw
// (s3api/middlewares/object-post-auth.go, s3err/post-object.go).
import { S3Error, errors } from '../../core/errors.ts';
import { type FormField, formValue } from '../../core/s3/post-form.ts';
import { type PostPolicy, decodePostPolicy, policyExpired } from '../../core/s3/post-policy.ts';
import { ALGORITHM, parseCredential } from '../../core/sigv4/scope.ts';
import type { SigningKeyCache } from '../../core/sigv4/signing-key.ts';
import { sameSignature, signatureFor } from '../../core/sigv4/verify.ts';
import { parseAmzDate } from '../../core/sigv4/time.ts';


/** Any one of these makes the form a signed one, which then needs all of them, checked in this order. */
const AUTH_FIELDS = ['policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'] as const;
/** A signing date may be in the future, but not more than an hour old. */
const MAX_DATE_AGE_SECONDS = 60 * 60;

export const missingFormField = (field: string) =>
  new S3Error(
    'InvalidArgument',
    400,
    `Bucket POST must contain a field named '${field}'.  If it is specified, please check the order of the fields.`,
    { ArgumentName: field },
  );

const credentialError = (credential: string) => (detail: string) =>
  errors.invalidArgument(detail, { name: 'x-amz-credential', value: credential });

// Gateway users hold no session credentials, so no token can be valid (presigned URLs refuse it too).
const invalidToken = () => new S3Error('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.');

/** "65 79 4a" for "eyJ": AWS's StringToSignBytes. */
const hexBytes = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' ');

function signatureMismatch(accessKeyId: string, policyBase64: string, provided: string): S3Error {
  const base = errors.signatureDoesNotMatch(accessKeyId);
  return new S3Error(base.code, base.status, base.message, {
    ...base.details,
    StringToSign: policyBase64,
    SignatureProvided: provided,
    StringToSignBytes: hexBytes(policyBase64),
  });
}

export interface PostFormAuth {
  accessKeyId: string;
  policy: PostPolicy;
}

/**
 * Who signed the form, or undefined when it carries none of the auth fields (an anonymous POST).
 * Order as versitygw: all auth fields present, algorithm, x-amz-date format and age, credential
 * (shape, service, terminal, date), region, access key, signature, then the policy document
 * (which versitygw parses after its bucket access check). A security token is refused before the
 * key lookup, where AWS would judge it.
 */
export function authenticatePostForm(
  fields: FormField[],
  lookupSecret: (accessKeyId: string) => string | undefined,
  now: Date,
  keyCache: SigningKeyCache,
  expectedRegion?: string,
): PostFormAuth | undefined {
  const values = AUTH_FIELDS.map((name) => formValue(fields, name));
  if (values.every((v) => v === undefined)) return undefined;
  const missing = AUTH_FIELDS.find((_, i) => values[i] === undefined);
  if (missing !== undefined) throw missingFormField(missing);
  const [policyBase64, algorithm, credentialValue, amzDate, signature] = values as [string, string, string, string, string];

  if (algorithm !== ALGORITHM) {
    throw errors.invalidArgument('Only AWS4-HMAC-SHA256 is supported', { name: 'X-Amz-Algorithm', value: algorithm });
  }
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) {
    throw errors.invalidArgument('X-Amz-Date must be formated via ISO8601 Long format', { name: 'X-Amz-Date', value: amzDate });
  }
  if (Math.floor(now.getTime() / 1000) - signedAt.getTime() / 1000 > MAX_DATE_AGE_SECONDS) throw policyExpired();

  const credential = parseCredential(credentialValue, credentialError(credentialValue));
  if (expectedRegion !== undefined && credential.region !== expectedRegion) {
    throw credentialError(credentialValue)(
      `the region ${JSON.stringify(credential.region)} is wrong; expecting ${JSON.stringify(expectedRegion)}`,
    );
  }
  if (formValue(fields, 'x-amz-security-token') !== undefined) throw invalidToken();
  const secret = lookupSecret(credential.accessKeyId);
  if (secret === undefined) throw errors.invalidAccessKeyId(credential.accessKeyId);

  const key = keyCache.get(credential.accessKeyId, secret, credential.date, credential.region, 's3');
  if (!sameSignature(signatureFor(policyBase64, key), signature)) {
    throw signatureMismatch(credential.accessKeyId, policyBase64, signature);
  }
  return { accessKeyId: credential.accessKeyId, policy: decodePostPolicy(policyBase64, now) };
}
