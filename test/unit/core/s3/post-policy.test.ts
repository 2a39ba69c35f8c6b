// core/s3/post-policy.ts: the POST policy document, validated with versitygw's errors, and rewritten
// condition by condition with everything else kept byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../../../core/errors.ts';
import { type PolicyCondition, conditionHolds, decodePostPolicy, rewritePolicy } from '../../../../core/s3/post-policy.ts';

const NOW = new Date('2026-03-27T09:18:22Z');
const TOMORROW = '2026-03-28T09:18:22Z';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** What versitygw's encodePostPolicy sends: Go's json.Marshal of the map, keys sorted. */
const goPolicy = (conditions: unknown[], expiration = TOMORROW) => b64(JSON.stringify({ conditions, expiration }));

function isError(code: string, status: number, message: string) {
  return (e: unknown) => {
    assert.ok(e instanceof S3Error, `expected S3Error, got ${String(e)}`);
    assert.deepEqual([e.code, e.status, e.message, e.details], [code, status, message, {}]);
    return true;
  };
}
const invalid = (detail: string) => isError('InvalidPolicyDocument', 400, `Invalid Policy: ${detail}`);
const denied = (detail: string) => isError('AccessDenied', 403, `Invalid according to Policy: ${detail}`);

test("versitygw's PostObject_invalid_policy_document cases, message for message", () => {
  const cases: Array<[string, ReturnType<typeof isError>]> = [
    ['', invalid("Expecting '{' but found End-of-Input")],
    ['  \r\n', invalid("Expecting '{' but found End-of-Input")],
    ['invalid_base64', invalid('invalid Base64 encoding.')],
    ['aW52YWxpZCBqc29u', invalid('Invalid JSON.')],
    ['ewogICAgImNvbmRpdGlvbnMiOiBbXQp9', invalid('Policy missing expiration.')],
    ['ewogICAgImV4cGlyYXRpb24iOiB0cnVlLAogICAgImNvbmRpdGlvbnMiOiBbeyJoZWxsbyI6IndvcmxkIn1dCn0=', invalid('Invalid JSON.')],
    [
      'ewogICAgImV4cGlyYXRpb24iOiAiaW52YWxpZCIsCiAgICAiY29uZGl0aW9ucyI6IFt7ImhlbGxvIjoid29ybGQifV0KfQ==',
      invalid("Invalid 'expiration' value: 'invalid'"),
    ],
    ['ewogICAgImV4cGlyYXRpb24iOiAiMjE0NC0xMS0wOFQwNDoxOTozM1oiCn0=', invalid('Policy missing conditions.')],
    [
      'ewogICAgImV4cGlyYXRpb24iOiAiMjE0NC0xMS0wOFQwNDoxOTozM1oiLAogICAgImNvbmRpdGlvbnMiOiB0cnVlCn0=',
      invalid("Invalid 'conditions' value: must be a List."),
    ],
    [
      'ewogICAgImV4cGlyYXRpb24iOiAiMjE0NC0xMS0wOFQwNDoxOTozM1oiLAogICAgImNvbmRpdGlvbnMiOiBbdHJ1ZV0KfQ==',
      invalid('Invalid condition test: must be a List or Object.'),
    ],
    [
      'ewogICJjb25kaXRpb25zIjogW3sieC1hbXotZGF0ZSI6ICIyMDI2MDMyN1QwOTE4MjJaIn1dLAogICJleHBpcmF0aW9uIjogIjIwMjYtMDMtMjhUMDk6MTg6MjJaIiwKICAiZXh0cmEiOiAiZmllbGQiCn0=',
      invalid('Unexpected: "extra"'),
    ],
    [goPolicy([], '2026-03-26T09:18:22Z'), denied('Policy expired.')],
    [goPolicy([[]]), invalid('Invalid Condition: missing operation identifier.')],
    [goPolicy([['invalid', '$content-type', 'application/json']]), invalid("Invalid Condition: unknown operation 'invalid'.")],
    [goPolicy([['eq', '$content-type', 'application/json', 'something']]), invalid('Invalid eq: wrong number of arguments.')],
    [goPolicy([['eq', false, 'application/json']]), invalid('Invalid JSON.')],
    [goPolicy([['eq', '$content-type', true]]), invalid('Invalid JSON.')],
    [goPolicy([['eq', 'content-type', 'binary/octet-stream']]), denied('Policy Condition failed: ["eq","content-type","binary/octet-stream"]')],
    [goPolicy([['content-length-range', 12, false]]), invalid('Invalid JSON.')],
    [goPolicy([['content-length-range', 'invalid', '14']]), invalid('Invalid JSON.')],
    [goPolicy([{ expires: 'exp', cache: 'smth' }]), invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.')],
    [goPolicy([{ expires: true }]), invalid('Invalid Simple-Condition: value must be a string.')],
  ];
  for (const [policy, expected] of cases) assert.throws(() => decodePostPolicy(policy, NOW), expected, policy);
});

test('finer points of versitygw/Go decoding', () => {
  const cases: Array<[string, ReturnType<typeof isError>]> = [
    ['[1]', invalid('Invalid JSON.')],
    ['\ufeff{"expiration":"2144-11-08T04:19:33Z","conditions":[]}', invalid('Invalid JSON.')],
    ['null', invalid('Policy missing expiration.')],
    ['{"expiration":null,"conditions":[]}', invalid("Invalid 'expiration' value: ''")],
    ['{"expiration":"2026-02-29T00:00:00Z","conditions":[]}', invalid("Invalid 'expiration' value: '2026-02-29T00:00:00Z'")],
    ['{"expiration":"2144-11-08t04:19:33z","conditions":[]}', invalid("Invalid 'expiration' value: '2144-11-08t04:19:33z'")],
    ['{"conditions":[], "expiration":"2144-11-08T04:19:33Z", "conditions":[]}', invalid('Invalid JSON.')], // repeated member refused
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[null]}', invalid('Invalid Condition: missing operation identifier.')],
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[[1]]}', invalid('Invalid JSON.')],
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[["content-length-range",1]]}', invalid('Invalid content-length-range: wrong number of arguments.')],
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[["content-length-range",1.5,2]]}', invalid('Invalid JSON.')],
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[["content-length-range",0,9223372036854775808]]}', invalid('Invalid JSON.')],
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[["eq","$",""]]}', denied('Policy Condition failed: ["eq","$",""]')],
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[["eq","$ ","x"]]}', denied('Policy Condition failed: ["eq","$ ","x"]')],
    ['{"expiration":"2144-11-08T04:19:33Z","conditions":[{"":"v"}]}', denied('Policy Condition failed: ["eq", "$", "v"]')],
    ['{"expiration":"2026-03-27T09:18:21Z","conditions":[["eq","$ ","x"]]}', denied('Policy expired.')], // expiry first
    ['{"expiration":"2026-03-27T11:18:21+02:00","conditions":[]}', denied('Policy expired.')],
  ];
  for (const [text, expected] of cases) assert.throws(() => decodePostPolicy(b64(text), NOW), expected, text);
  // Unpadded base64 and line breaks are accepted, as by Go's decoders; wrong padding is not.
  const text = '{"expiration":"2144-11-08T04:19:33.5Z","conditions":[]}';
  assert.deepEqual(decodePostPolicy(b64(text).replace(/=+$/, ''), NOW), { text, conditions: [] });
  assert.deepEqual(decodePostPolicy(`${b64(text).slice(0, 8)}\r\n${b64(text).slice(8)}`, NOW).text, text);
  assert.throws(() => decodePostPolicy(`${b64(text)}=`, NOW), invalid('invalid Base64 encoding.'));
  assert.equal(decodePostPolicy(b64('{"expiration":"2026-03-27T11:18:23+02:00","conditions":null}'), NOW).conditions.length, 0);
});

test('conditions: operation, field, value, echo text and exact span', () => {
  const text = `{ "expiration": "${TOMORROW}",
  "conditions": [
    {"Bucket" : "photos"},
    ["starts-with", "$Key", "user/"] ,
    [ "eq","$x-amz-meta-n", 1.50 ],
    ["content-length-range", "14", 1048576],
    {"x-amz-meta-q": "caf\\u00e9 \\"x\\""}
  ] }`;
  const policy = decodePostPolicy(b64(text), NOW);
  assert.equal(policy.text, text);
  const at = (raw: string) => ({ start: text.indexOf(raw), end: text.indexOf(raw) + raw.length });
  const expected: PolicyCondition[] = [
    { op: 'eq', field: 'bucket', value: 'photos', text: '["eq", "$bucket", "photos"]', span: at('{"Bucket" : "photos"}') },
    { op: 'starts-with', field: 'key', value: 'user/', text: '["starts-with", "$Key", "user/"]', span: at('["starts-with", "$Key", "user/"]') },
    { op: 'eq', field: 'x-amz-meta-n', value: '1.50', text: '[ "eq","$x-amz-meta-n", 1.50 ]', span: at('[ "eq","$x-amz-meta-n", 1.50 ]') },
    { op: 'content-length-range', min: 14n, max: 1048576n, text: '["content-length-range", "14", 1048576]', span: at('["content-length-range", "14", 1048576]') },
    { op: 'eq', field: 'x-amz-meta-q', value: 'café "x"', text: '["eq", "$x-amz-meta-q", "café "x""]', span: at('{"x-amz-meta-q": "caf\\u00e9 \\"x\\""}') },
  ];
  assert.deepEqual(policy.conditions, expected);
});

test("conditionHolds: eq, starts-with and AWS's comma-separated Content-Type", () => {
  const [eq, prefix, anything, contentType, range] = decodePostPolicy(
    goPolicy([
      ['eq', '$content-type', 'text/plain'],
      ['starts-with', '$x-amz-meta-env', 'prod'],
      ['starts-with', '$x-amz-meta-tag', ''],
      ['starts-with', '$content-type', 'text/'],
      ['content-length-range', 1, 100],
    ]),
    NOW,
  ).conditions as [PolicyCondition, PolicyCondition, PolicyCondition, PolicyCondition, PolicyCondition];
  assert.equal(conditionHolds(eq, 'text/plain'), true);
  assert.equal(conditionHolds(eq, 'image/jpeg'), false);
  assert.equal(conditionHolds(eq, 'Text/Plain'), false);
  assert.equal(conditionHolds(eq, undefined), false);
  assert.equal(conditionHolds(prefix, 'production'), true);
  assert.equal(conditionHolds(prefix, 'staging'), false);
  assert.equal(conditionHolds(anything, 'anything-goes'), true);
  assert.equal(conditionHolds(anything, undefined), false);
  assert.equal(conditionHolds(contentType, 'text/plain, text/html'), true);
  assert.equal(conditionHolds(contentType, 'text/plain, image/jpeg'), false);
  assert.equal(conditionHolds(prefix, 'prod,x'), true); // the list reading is Content-Type's only
  assert.equal(conditionHolds(range, undefined), true);
});

test('rewritePolicy: replaced conditions become eq on the new value, the rest is kept byte for byte', () => {
  const text = `{"expiration": "${TOMORROW}",\n "conditions": [ {"bucket":"alias"}, ["starts-with", "$key", "up/"],\n  ["eq", "$X-Amz-Credential", "GWKEY/20260327/us-east-1/s3/aws4_request"], {"x-amz-date": "20260327T091822Z"},\n  ["content-length-range", 0, 10] ]}`;
  const policy = decodePostPolicy(b64(text), NOW);
  const rewritten = rewritePolicy(
    policy,
    new Map([
      ['bucket', { clientValue: 'alias', newValue: 'real-bucket' }],
      ['x-amz-credential', { clientValue: 'GWKEY/20260327/us-east-1/s3/aws4_request', newValue: 'BEKEY/20260327/eu-west-1/s3/aws4_request' }],
      ['x-amz-date', { clientValue: '20260327T091822Z', newValue: '20260327T091900Z' }],
      ['x-amz-algorithm', { clientValue: 'AWS4-HMAC-SHA256', newValue: 'AWS4-HMAC-SHA256' }],
    ]),
  );
  assert.equal(
    rewritten,
    `{"expiration": "${TOMORROW}",\n "conditions": [ ["eq","$bucket","real-bucket"], ["starts-with", "$key", "up/"],\n  ["eq","$x-amz-credential","BEKEY/20260327/eu-west-1/s3/aws4_request"], ["eq","$x-amz-date","20260327T091900Z"],\n  ["content-length-range", 0, 10] ]}`,
  );
  assert.equal(decodePostPolicy(b64(rewritten), NOW).conditions.length, 5);
  assert.equal(rewritePolicy(policy, new Map()), text);
});

test('rewritePolicy refuses a condition the client value fails: the alias attack and the echo text', () => {
  // The policy names the real bucket, the form was posted to an alias of it: versitygw would refuse it
  // at the alias, so the gateway must not make it pass by rewriting.
  const aliased = decodePostPolicy(goPolicy([{ bucket: 'data' }]), NOW);
  const viaAlias = new Map([['bucket', { clientValue: 'a', newValue: 'data' }]]);
  assert.throws(() => rewritePolicy(aliased, viaAlias), denied('Policy Condition failed: ["eq", "$bucket", "data"]'));
  const spaced = decodePostPolicy(b64(`{"expiration":"${TOMORROW}","conditions":[["starts-with",  "$bucket", "dat"]]}`), NOW);
  assert.throws(() => rewritePolicy(spaced, viaAlias), denied('Policy Condition failed: ["starts-with",  "$bucket", "dat"]'));
  const absent = new Map([['x-amz-date', { clientValue: undefined, newValue: '20260327T091900Z' }]]);
  const dated = decodePostPolicy(goPolicy([['starts-with', '$x-amz-date', '']]), NOW);
  assert.throws(() => rewritePolicy(dated, absent), denied('Policy Condition failed: ["starts-with","$x-amz-date",""]'));
});
