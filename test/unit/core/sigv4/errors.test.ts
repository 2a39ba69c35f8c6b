// SigV4 parsing and policy errors: each must carry AWS's code and status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { S3Error } from '../../../../core/errors.ts';
import { parseAuthorizationHeader } from '../../../../core/sigv4/auth-header.ts';
import { assertSinglePresignParams, parsePresignedQuery } from '../../../../core/sigv4/presigned.ts';
import { SigningKeyCache } from '../../../../core/sigv4/signing-key.ts';
import { type IncomingRequest, verifySigV4 } from '../../../../core/sigv4/verify.ts';

const AK = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NOW = new Date('2013-05-24T00:00:00Z');
const CRED = `${AK}/20130524/us-east-1/s3/aws4_request`;
const SIG = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
const lookup = (ak: string) => (ak === AK ? SECRET : undefined);

function isS3Error(code: string, status: number, message?: string) {
  return (e: unknown) =>
    e instanceof S3Error && e.code === code && e.status === status && (message === undefined || e.message === message);
}

function request(headers: Record<string, string>, rawQuery = ''): IncomingRequest {
  const h = new Map(Object.entries({ host: 'examplebucket.s3.amazonaws.com', ...headers }));
  return { method: 'GET', rawPath: '/test.txt', rawQuery, header: (n) => h.get(n), headerNames: () => h.keys() };
}
const verify = (req: IncomingRequest) => verifySigV4(req, lookup, NOW, new SigningKeyCache());

test('Authorization header: components in any order, with or without spaces', () => {
  const expected = {
    accessKeyId: AK,
    date: '20130524',
    region: 'us-east-1',
    service: 's3',
    signedHeaders: ['host', 'range', 'x-amz-date'],
    signature: SIG,
  };
  for (const value of [
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;range;x-amz-date, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED},SignedHeaders=host;range;x-amz-date,Signature=${SIG}`,
    `AWS4-HMAC-SHA256  Signature=${SIG} ,Credential=${CRED},  SignedHeaders=host;range;x-amz-date`,
  ]) {
    assert.deepEqual(parseAuthorizationHeader(value), expected);
  }
});

test('malformed Authorization headers: AWS code, status and message for each', () => {
  const m = (detail: string) => `The authorization header is malformed; ${detail}`;
  const threeParts = m('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  const badCredential = m('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  const cases: Array<[string, string]> = [
    [`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host`, threeParts],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`, threeParts],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}, Extra=1`, threeParts],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=`, m('the authorization component "Signature=" is malformed.')],
    [
      `AWS4-HMAC-SHA256 Credential=${CRED},SignedHeaders-Content-Length,Signature=${SIG}`,
      m('the authorization component "SignedHeaders-Content-Length" is malformed.'),
    ],
    [`AWS4-HMAC-SHA256 Credential ${CRED}, SignedHeaders=host, Signature=${SIG}`, m(`the authorization component "Credential ${CRED}" is malformed.`)],
    [`AWS4-HMAC-SHA256 Signature=${SIG}=x, Credential=${CRED}, SignedHeaders=host`, m(`the authorization component "Signature=${SIG}=x" is malformed.`)],
    [`AWS4-HMAC-SHA256 missing_creds=${CRED}, SignedHeaders=host, Signature=${SIG}`, m('missing Credential.')],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, missing=host, Signature=${SIG}`, m('missing SignedHeaders.')],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, missing=${SIG}`, m('missing Signature.')],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, Credential=${CRED}, Signature=${SIG}`, m('missing SignedHeaders.')],
    [`AWS4-HMAC-SHA256 Credential=${AK}/20130524/us-east-1/s3, SignedHeaders=host, Signature=${SIG}`, badCredential],
    [`AWS4-HMAC-SHA256 Credential=${AK}/32234/us-east-1/s3/extra/things, SignedHeaders=host, Signature=${SIG}`, badCredential],
    [`AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`, badCredential],
    [
      `AWS4-HMAC-SHA256 Credential=${AK}/2013-05-24/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`,
      m('incorrect date format "2013-05-24". This date in the credential must be in the format "yyyyMMdd".'),
    ],
    [
      `AWS4-HMAC-SHA256 Credential=${AK}/20131324/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`,
      m('incorrect date format "20131324". This date in the credential must be in the format "yyyyMMdd".'),
    ],
    // Service and terminal are checked before the date, as AWS does.
    [
      `AWS4-HMAC-SHA256 Credential=${AK}/32234/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=${SIG}`,
      m('incorrect service "ec2". This endpoint belongs to "s3".'),
    ],
    [
      `AWS4-HMAC-SHA256 Credential=${AK}/32234/us-east-1/s3/aws_request, SignedHeaders=host, Signature=${SIG}`,
      m('incorrect terminal "aws_request". This endpoint uses "aws4_request".'),
    ],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=range;x-amz-date, Signature=${SIG}`, m('the SignedHeaders list must include "host".')],
    [`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;;range, Signature=${SIG}`, m('the SignedHeaders list is mal-formed.')],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseAuthorizationHeader(value), isS3Error('AuthorizationHeaderMalformed', 400, message), value);
  }
});

test('an Authorization header without a space is InvalidArgument, naming the header', () => {
  const message = "Authorization header is invalid -- one and only one ' ' (space) required.";
  for (const value of ['invalid_header', 'AWS4-HMAC-SHA256']) {
    assert.throws(() => parseAuthorizationHeader(value), (e: unknown) => {
      assert.ok(isS3Error('InvalidArgument', 400, message)(e));
      assert.deepEqual((e as S3Error).details, { ArgumentName: 'Authorization', ArgumentValue: value });
      return true;
    });
  }
});

test('unsupported authorization mechanisms', () => {
  const sigV2 = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';
  assert.throws(() => parseAuthorizationHeader('AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg='), isS3Error('InvalidRequest', 400, sigV2));
  for (const algorithm of ['AWS4-ECDSA-P256-SHA256', 'AWS2-HMAC-SHA1']) {
    assert.throws(() => parseAuthorizationHeader(`${algorithm} Credential=${CRED}`), (e: unknown) => {
      assert.ok(isS3Error('InvalidArgument', 400, 'Unsupported Authorization Type')(e));
      assert.deepEqual((e as S3Error).details, { ArgumentName: 'Authorization', ArgumentValue: algorithm });
      return true;
    });
  }
});

test('anonymous, and both mechanisms at once', () => {
  assert.throws(() => verify(request({})), isS3Error('AccessDenied', 403));
  const auth = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`;
  assert.throws(() => verify(request({ authorization: auth }, 'X-Amz-Algorithm=AWS4-HMAC-SHA256')), isS3Error('InvalidArgument', 400));
});

test('header auth: bad dates', () => {
  const base = {
    authorization: `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date, Signature=${SIG}`,
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  };
  const noDate = 'AWS authentication requires a valid Date or x-amz-date header.';
  const dates: Array<Record<string, string>> = [
    {},
    { 'x-amz-date': '2013-05-24T00:00:00Z' },
    { 'x-amz-date': '20131324T000000Z' },
    { 'x-amz-date': '' },
    { 'x-amz-date': '03032006' },
    { date: 'soon' },
  ];
  for (const d of dates) {
    assert.throws(() => verify(request({ ...base, ...d })), isS3Error('AccessDenied', 403, noDate));
  }
  // The credential scope names another day than x-amz-date.
  const otherDay = { ...base, authorization: base.authorization.replace('20130524', '20130523') };
  assert.throws(
    () => verify(request({ ...otherDay, 'x-amz-date': '20130524T000000Z' })),
    isS3Error(
      'AuthorizationHeaderMalformed',
      400,
      'The authorization header is malformed; The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
    ),
  );
});

test('header auth: the Date header stands in for x-amz-date', () => {
  // Canonical request written out by hand; the string to sign must use the Date header as 20130524T000000Z.
  const canonical = [
    'GET',
    '/test.txt',
    '',
    'date:Fri, 24 May 2013 00:00:00 GMT',
    'host:examplebucket.s3.amazonaws.com',
    'x-amz-content-sha256:UNSIGNED-PAYLOAD',
    '',
    'date;host;x-amz-content-sha256',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const key = ['20130524', 'us-east-1', 's3', 'aws4_request'].reduce<string | Buffer>((k, part) => hmac(k, part), `AWS4${SECRET}`);
  const hash = createHash('sha256').update(canonical).digest('hex');
  const toSign = `AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n${hash}`;
  const signature = hmac(key, toSign).toString('hex');
  const req = request({
    authorization: `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=date;host;x-amz-content-sha256, Signature=${signature}`,
    date: 'Fri, 24 May 2013 00:00:00 GMT',
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  });
  assert.equal(verify(req).payloadHash, 'UNSIGNED-PAYLOAD');
});

test('presigned query parameter errors', () => {
  const good: Record<string, string> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': CRED,
    'X-Amz-Date': '20130524T000000Z',
    'X-Amz-Expires': '86400',
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': SIG,
  };
  const parse = (changes: Record<string, string | undefined>) =>
    parsePresignedQuery(new Map(Object.entries({ ...good, ...changes }).filter((e): e is [string, string] => e[1] !== undefined)));
  assert.equal(parse({}).expiresSeconds, 86400);
  assert.equal(parse({ 'X-Amz-Expires': '604800' }).expiresSeconds, 604800);
  const cred = 'Error parsing the X-Amz-Credential parameter; ';
  const cases: Array<[Record<string, string | undefined>, string]> = [
    [
      { 'X-Amz-Expires': '604801' },
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    ],
    [{ 'X-Amz-Expires': '-5' }, 'X-Amz-Expires must be non-negative'],
    [{ 'X-Amz-Expires': '1.5' }, 'X-Amz-Expires should be a number'],
    [{ 'X-Amz-Expires': 'soon' }, 'X-Amz-Expires should be a number'],
    [{ 'X-Amz-Expires': '0' }, 'X-Amz-Expires should be a positive integer'],
    [
      { 'X-Amz-Signature': undefined },
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    ],
    [{ 'X-Amz-SignedHeaders': 'x-amz-date' }, 'X-Amz-SignedHeaders is invalid; the SignedHeaders list must include "host".'],
    [{ 'X-Amz-Algorithm': 'AWS4-SHA256' }, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"'],
    [{ 'X-Amz-Algorithm': 'AWS4-ECDSA-P256-SHA256' }, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'],
    [{ 'X-Amz-Date': '20130524T000000' }, 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"'],
    [
      { 'X-Amz-Date': '20130525T000000Z' },
      'Invalid credential date "20130524". This date is not the same as X-Amz-Date: "20130525".',
    ],
    [
      { 'X-Amz-Credential': `${AK}/20130524/us-east-1/sqs/aws4_request` },
      `${cred}incorrect service "sqs". This endpoint belongs to "s3".`,
    ],
    [
      { 'X-Amz-Credential': `${AK}/32234Z34/us-east-1/s3/aws4_request` },
      `${cred}incorrect date format "32234Z34". This date in the credential must be in the format "yyyyMMdd".`,
    ],
    [{ 'X-Amz-Security-Token': 'my_token' }, 'Authorization with X-Amz-Security-Token is not supported'],
  ];
  for (const [changes, message] of cases) {
    assert.throws(() => parse(changes), isS3Error('AuthorizationQueryParametersError', 400, message), JSON.stringify(changes));
  }
  assert.throws(() => parse({ 'X-Amz-SignedHeaders': '' }), isS3Error('AuthorizationQueryParametersError', 400));
});

test('presigned X-Amz-Expires over a week is rejected through verifySigV4 too', () => {
  const query =
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(CRED)}&X-Amz-Date=20130524T000000Z` +
    `&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;
  assert.throws(() => verify(request({}, query)), isS3Error('AuthorizationQueryParametersError', 400));
});

test('a presigned URL with an X-Amz-* parameter twice → AuthorizationQueryParametersError (others may repeat)', () => {
  const good: Array<[string, string]> = [['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'], ['X-Amz-Signature', 'ab'], ['prefix', 'a'], ['prefix', 'b']];
  assertSinglePresignParams(good);
  for (const name of ['X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token']) {
    assert.throws(
      () => assertSinglePresignParams([...good, [name, 'x'], [name, 'y']]),
      (e: unknown) => e instanceof S3Error && e.code === 'AuthorizationQueryParametersError' && e.status === 400 && e.message.includes(name),
      name,
    );
  }
});
