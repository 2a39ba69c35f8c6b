// access/identity/post-form.ts + backends/form-signer.ts: a POST form authenticated in versitygw's order with its errors, and the form
// re-signed for the backend. Signatures here are computed with node:crypto, not with the gateway's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { S3Error } from '../../../../core/errors.ts';
import { authenticatePostForm } from '../../../../access/identity/post-form.ts';
import { backendFormFields } from '../../../../backends/form-signer.ts';
import type { FormField } from '../../../../core/s3/post-form.ts';
import { SigningKeyCache } from '../../../../core/sigv4/signing-key.ts';

const AK = 'GWUSERKEY';
const SECRET = 'gateway/secret+key';
const REGION = 'us-east-1';
const NOW = new Date('2026-03-27T09:18:22.750Z');
const DATE = '20260327T091822Z';
const CRED = `${AK}/20260327/${REGION}/s3/aws4_request`;
const BACKEND = { accessKeyId: 'BACKENDKEY', secretAccessKey: 'backend/secret', region: 'eu-west-1' };
const lookup = (ak: string) => (ak === AK ? SECRET : ak === BACKEND.accessKeyId ? BACKEND.secretAccessKey : undefined);

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
function postSignature(policyBase64: string, secret: string, day: string, region: string): string {
  const key = ['s3', 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), hmac(hmac(`AWS4${secret}`, day), region));
  return hmac(key, policyBase64).toString('hex');
}

/** The fields versitygw's tests send: the signed ones, a policy covering them, and its signature. */
function signedForm(opts: { policy?: string; date?: string; credential?: string; region?: string; extra?: FormField[] } = {}): FormField[] {
  const date = opts.date ?? DATE;
  const credential = opts.credential ?? `${AK}/${date.slice(0, 8)}/${opts.region ?? REGION}/s3/aws4_request`;
  const policy =
    opts.policy ??
    Buffer.from(
      JSON.stringify({
        conditions: [{ bucket: 'photos' }, { key: 'k' }, { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }, { 'x-amz-credential': credential }, { 'x-amz-date': date }],
        expiration: '2026-03-28T09:18:22Z',
      }),
    ).toString('base64');
  return [
    { name: 'bucket', value: 'photos' },
    { name: 'key', value: 'k' },
    { name: 'x-amz-algorithm', value: 'AWS4-HMAC-SHA256' },
    { name: 'x-amz-credential', value: credential },
    { name: 'x-amz-date', value: date },
    ...(opts.extra ?? []),
    { name: 'policy', value: policy },
    { name: 'x-amz-signature', value: postSignature(policy, SECRET, date.slice(0, 8), opts.region ?? REGION) },
  ];
}

const set = (fields: FormField[], name: string, value: string | undefined) =>
  fields.flatMap((f) => (f.name !== name ? [f] : value === undefined ? [] : [{ name, value }]));
const auth = (fields: FormField[]) => authenticatePostForm(fields, lookup, NOW, new SigningKeyCache(), REGION);
/** Without a region to expect, as when the gateway does not pin one. */
const authAnyRegion = (fields: FormField[]) => authenticatePostForm(fields, lookup, NOW, new SigningKeyCache());

function isError(code: string, status: number, message: string, details: Record<string, string> = {}) {
  return (e: unknown) => {
    assert.ok(e instanceof S3Error, `expected S3Error, got ${String(e)}`);
    assert.deepEqual([e.code, e.status, e.message, e.details], [code, status, message, details]);
    return true;
  };
}
const invalidArgument = (message: string, name: string, value?: string) =>
  isError('InvalidArgument', 400, message, value === undefined ? { ArgumentName: name } : { ArgumentName: name, ArgumentValue: value });
const credentialError = (message: string, value: string) => invalidArgument(message, 'x-amz-credential', value);
const expired = isError('AccessDenied', 403, 'Invalid according to Policy: Policy expired.');

test('a signed form: its key id and policy; names match case-insensitively; anonymous forms are undefined', () => {
  const fields = signedForm();
  assert.equal(auth(fields)?.accessKeyId, AK);
  assert.equal(auth(fields)?.policy.conditions.length, 5);
  const upper = fields.map((f) => ({ name: f.name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), value: f.value }));
  assert.ok(upper.some((f) => f.name === 'Policy') && upper.some((f) => f.name === 'X-Amz-Signature'));
  assert.equal(auth(upper)?.accessKeyId, AK);
  assert.equal(authAnyRegion(fields)?.accessKeyId, AK);
  assert.equal(auth([{ name: 'key', value: 'k' }, { name: 'bucket', value: 'b' }]), undefined);
});

test("versitygw's PostObject auth cases, error for error", () => {
  for (const field of ['policy', 'x-amz-signature', 'x-amz-credential', 'x-amz-date', 'x-amz-algorithm']) {
    const message = `Bucket POST must contain a field named '${field}'.  If it is specified, please check the order of the fields.`;
    assert.throws(() => auth(set(signedForm(), field, undefined)), invalidArgument(message, field), field);
  }
  assert.throws(
    () => auth(set(signedForm(), 'x-amz-algorithm', 'invalid')),
    invalidArgument('Only AWS4-HMAC-SHA256 is supported', 'X-Amz-Algorithm', 'invalid'),
  );
  assert.throws(
    () => auth(set(signedForm(), 'x-amz-date', 'invalid_date')),
    invalidArgument('X-Amz-Date must be formated via ISO8601 Long format', 'X-Amz-Date', 'invalid_date'),
  );
  assert.throws(
    () => auth(set(signedForm(), 'x-amz-credential', 'malformed-no-slashes')),
    credentialError('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".', 'malformed-no-slashes'),
  );
  const wrongRegion = `${AK}/20260327/us-west-2/s3/aws4_request`;
  assert.throws(() => auth(signedForm({ region: 'us-west-2' })), credentialError('the region "us-west-2" is wrong; expecting "us-east-1"', wrongRegion));
  assert.equal(authAnyRegion(signedForm({ region: 'us-west-2' }))?.accessKeyId, AK);
  const unknown = 'this_access_key_id_can_not_really_exist';
  assert.throws(
    () => auth(signedForm({ credential: `${unknown}/20260327/${REGION}/s3/aws4_request` })),
    isError('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: unknown }),
  );
  // More than an hour old is an expired policy; any future date is accepted.
  const old = new Date(NOW.getTime() - 61 * 60_000);
  assert.throws(() => auth(signedForm({ date: old.toISOString().replace(/[-:]|\.\d{3}/g, '') })), expired);
  assert.equal(auth(signedForm({ date: '20260327T081822Z' }))?.accessKeyId, AK);
  assert.throws(() => auth(signedForm({ date: '20260327T081821Z' })), expired);
  assert.equal(auth(signedForm({ date: '20260328T091822Z' }))?.accessKeyId, AK);
});

test('other credential errors, as versitygw words them', () => {
  const cases: Array<[string, string]> = [
    [`${AK}/20260327/${REGION}/ec2/aws4_request`, 'incorrect service "ec2". This endpoint belongs to "s3".'],
    [`${AK}/20260327/${REGION}/s3/aws5_request`, 'incorrect terminal "aws5_request". This endpoint uses "aws4_request".'],
    [`${AK}/2026-03-27/${REGION}/s3/aws4_request`, 'incorrect date format "2026-03-27". This date in the credential must be in the format "yyyyMMdd".'],
  ];
  for (const [credential, message] of cases) {
    assert.throws(() => auth(set(signedForm(), 'x-amz-credential', credential)), credentialError(message, credential));
  }
});

const hexOf = (s: string) => [...Buffer.from(s)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
const valueOf = (fields: FormField[], name: string) => fields.find((f) => f.name === name)!.value;

test('signature mismatch: the details versitygw sends; a tampered policy or signature is refused', () => {
  const mismatch = (provided: string, policy: string) =>
    isError('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: AK,
      StringToSign: policy,
      SignatureProvided: provided,
      StringToSignBytes: hexOf(policy),
    });
  const good = signedForm();
  const policy = valueOf(good, 'policy');
  const signature = valueOf(good, 'x-amz-signature');
  assert.throws(() => auth(set(good, 'x-amz-signature', 'incorrect_signature')), mismatch('incorrect_signature', policy));
  assert.equal(hexOf(policy).slice(0, 8), '65 79 4a'); // "eyJ", the start of any base64 JSON object

  const tampered = Buffer.from(JSON.stringify({ conditions: [{ bucket: 'other' }], expiration: '2026-03-28T09:18:22Z' })).toString('base64');
  assert.throws(() => auth(set(good, 'policy', tampered)), mismatch(signature, tampered));
  const flipped = (signature[0] === '0' ? '1' : '0') + signature.slice(1);
  assert.throws(() => auth(set(good, 'x-amz-signature', flipped)), mismatch(flipped, policy));
  assert.throws(() => auth(set(good, 'x-amz-signature', signature.toUpperCase())), mismatch(signature.toUpperCase(), policy));
  // Signed with another user's secret.
  const other = postSignature(policy, BACKEND.secretAccessKey, '20260327', REGION);
  assert.throws(() => auth(set(good, 'x-amz-signature', other)), mismatch(other, policy));
});

test('check order: fields, algorithm, date, age, credential, region, token, key, signature, policy', () => {
  const missing = invalidArgument("Bucket POST must contain a field named 'x-amz-date'.  If it is specified, please check the order of the fields.", 'x-amz-date');
  assert.throws(() => auth(set(set(signedForm(), 'x-amz-date', undefined), 'x-amz-algorithm', 'bad')), missing);
  const badAlgorithm = invalidArgument('Only AWS4-HMAC-SHA256 is supported', 'X-Amz-Algorithm', 'bad');
  assert.throws(() => auth(set(set(signedForm(), 'x-amz-date', 'bad'), 'x-amz-algorithm', 'bad')), badAlgorithm);
  assert.throws(() => auth(set(signedForm({ date: '20260327T071822Z' }), 'x-amz-credential', 'bad')), expired);
  const badRegion = set(signedForm({ region: 'us-west-2', credential: `NOBODY/20260327/us-west-2/s3/aws4_request` }), 'x-amz-signature', 'x');
  assert.throws(() => auth(badRegion), (e: unknown) => e instanceof S3Error && e.message.startsWith('the region "us-west-2" is wrong'));
  const withToken = signedForm({ extra: [{ name: 'X-Amz-Security-Token', value: 'session' }] });
  assert.throws(() => auth(withToken), isError('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.'));
  const unknownAndUnsigned = set(signedForm({ credential: `NOBODY/20260327/${REGION}/s3/aws4_request` }), 'x-amz-signature', 'x');
  assert.throws(() => auth(unknownAndUnsigned), (e: unknown) => e instanceof S3Error && e.code === 'InvalidAccessKeyId');
  // The policy is judged only once the signature holds: an empty one, signed, is an empty policy.
  assert.throws(() => auth(signedForm({ policy: '' })), isError('InvalidPolicyDocument', 400, "Invalid Policy: Expecting '{' but found End-of-Input"));
  assert.throws(() => auth(set(signedForm({ policy: '' }), 'x-amz-signature', 'x')), (e: unknown) => e instanceof S3Error && e.code === 'SignatureDoesNotMatch');
  const expiredPolicy = Buffer.from('{"expiration":"2026-03-27T09:18:22.700Z","conditions":[]}').toString('base64');
  assert.throws(() => auth(signedForm({ policy: expiredPolicy })), expired);
});

test('backendFormFields: re-signed with the backend key for the real bucket, other fields as sent', () => {
  const policyText = `{"expiration":"2026-03-28T09:18:22Z", "conditions":[ {"bucket": "photos"},\n ["starts-with","$key",""], {"x-amz-algorithm":"AWS4-HMAC-SHA256"}, ["eq", "$x-amz-credential", "${CRED}"], {"x-amz-date":"${DATE}"}, {"Content-Type": "text/plain"} ]}`;
  const client = signedForm({ policy: Buffer.from(policyText).toString('base64'), extra: [{ name: 'Content-Type', value: 'text/plain' }, { name: 'x-amz-date', value: DATE }] });
  const { policy } = auth(client)!;
  const later = new Date('2026-03-27T09:19:00.999Z');
  const fields = backendFormFields(client, policy, { clientBucket: 'photos', realBucket: 'tenant-a-photos' }, BACKEND, later, new SigningKeyCache());

  const credential = 'BACKENDKEY/20260327/eu-west-1/s3/aws4_request';
  const rewritten = `{"expiration":"2026-03-28T09:18:22Z", "conditions":[ ["eq","$bucket","tenant-a-photos"],\n ["starts-with","$key",""], ["eq","$x-amz-algorithm","AWS4-HMAC-SHA256"], ["eq","$x-amz-credential","${credential}"], ["eq","$x-amz-date","20260327T091900Z"], {"Content-Type": "text/plain"} ]}`;
  const policyBase64 = Buffer.from(rewritten).toString('base64');
  assert.deepEqual(fields, [
    { name: 'bucket', value: 'tenant-a-photos' },
    { name: 'key', value: 'k' },
    { name: 'x-amz-algorithm', value: 'AWS4-HMAC-SHA256' },
    { name: 'x-amz-credential', value: credential },
    { name: 'x-amz-date', value: '20260327T091900Z' },
    { name: 'Content-Type', value: 'text/plain' },
    { name: 'policy', value: policyBase64 },
    { name: 'x-amz-signature', value: postSignature(policyBase64, BACKEND.secretAccessKey, '20260327', 'eu-west-1') },
  ]);
  // What the backend will check passes with the backend's own secret.
  assert.equal(authenticatePostForm(fields, lookup, later, new SigningKeyCache(), 'eu-west-1')?.accessKeyId, 'BACKENDKEY');
});

test('backendFormFields refuses what the client form fails itself, before re-pointing it', () => {
  const aliasPolicy = Buffer.from(JSON.stringify({ conditions: [{ bucket: 'data' }], expiration: '2026-03-28T09:18:22Z' })).toString('base64');
  const client = signedForm({ policy: aliasPolicy });
  const { policy } = auth(client)!;
  const conditionFailed = (condition: string) => isError('AccessDenied', 403, `Invalid according to Policy: Policy Condition failed: ${condition}`);
  // Posted to bucket "a", whose real bucket is "data", which the policy names.
  assert.throws(() => backendFormFields(client, policy, { clientBucket: 'a', realBucket: 'data' }, BACKEND, NOW, new SigningKeyCache()), conditionFailed('["eq", "$bucket", "data"]'));
  const datePolicy = Buffer.from(JSON.stringify({ conditions: [['eq', '$x-amz-date', '20260101T000000Z']], expiration: '2026-03-28T09:18:22Z' })).toString('base64');
  const dated = signedForm({ policy: datePolicy });
  assert.throws(
    () => backendFormFields(dated, auth(dated)!.policy, { clientBucket: 'photos', realBucket: 'photos' }, BACKEND, NOW, new SigningKeyCache()),
    conditionFailed('["eq","$x-amz-date","20260101T000000Z"]'),
  );
});
