// access/access-control.ts: the seam both services use — POST forms by an active key only and decided
// as a PostObject write on the form's key, ListBuckets filtered by the policy, principal facts
// (groups, auth method, key id) handed to conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { AccessControl } from '../../../access/access-control.ts';
import { S3Error } from '../../../core/errors.ts';
import type { FormField } from '../../../core/s3/post-form.ts';
import { SigningKeyCache } from '../../../core/sigv4/signing-key.ts';

const NOW = new Date('2026-03-27T09:18:22.750Z');
const DATE = '20260327T091822Z';
const ON = { accessKeyId: 'AKIAFORM000000000001', secretAccessKey: 'form/secret+one' };
const OFF = { accessKeyId: 'AKIAFORM000000000002', secretAccessKey: 'form/secret+two' };

const access = new AccessControl(
  {
    listen: { address: '127.0.0.1', port: 9000 },
    users: [{ name: 'pat', groups: ['web'], accessKeys: [ON, { ...OFF, disabled: true }] }],
    groups: [{ name: 'web', policies: ['uploads'] }],
    policies: [
      {
        name: 'uploads',
        rules: [
          { effect: 'allow', actions: ['write'], resources: ['photos/incoming/*'], when: 'principal.authMethod == "post-form" && "web" in principal.groups' },
          { effect: 'allow', actions: ['read'], resources: ['site/*'], when: 'principal.keyId.startsWith("AKIAFORM")' },
        ],
      },
    ],
    openAccess: false,
  },
  new SigningKeyCache(),
);

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function form(creds: { accessKeyId: string; secretAccessKey: string }): FormField[] {
  const credential = `${creds.accessKeyId}/${DATE.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const policy = Buffer.from(JSON.stringify({ conditions: [{ bucket: 'photos' }], expiration: '2026-03-28T09:18:22Z' })).toString('base64');
  const key = ['us-east-1', 's3', 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), hmac(`AWS4${creds.secretAccessKey}`, DATE.slice(0, 8)));
  return [
    { name: 'key', value: 'incoming/a.jpg' },
    { name: 'x-amz-algorithm', value: 'AWS4-HMAC-SHA256' },
    { name: 'x-amz-credential', value: credential },
    { name: 'x-amz-date', value: DATE },
    { name: 'policy', value: policy },
    { name: 'x-amz-signature', value: hmac(key, policy).toString('hex') },
  ];
}

const post = (key: string) => ({ operation: 'PostObject', method: 'POST', bucket: 'photos', key });

test('a form signed with an active key is a post-form identity, decided as a write on its key', () => {
  const { identity } = access.authenticateForm(form(ON), NOW);
  assert.deepEqual(identity, { principal: 'pat', accessKeyId: ON.accessKeyId, presigned: false, postForm: true });
  assert.equal(access.verdict(identity, post('incoming/a.jpg'), NOW).allowed, true);
  assert.equal(access.verdict(identity, post('elsewhere/a.jpg'), NOW).allowed, false);
  // The same write by header signature is not a form: the condition says no.
  assert.equal(access.decide({ principal: 'pat', accessKeyId: ON.accessKeyId, presigned: false }, { ...post('incoming/a.jpg'), operation: 'PutObject', method: 'PUT' }, NOW).allowed, false);
});

test('a form signed with a disabled key is InvalidAccessKeyId', () => {
  assert.throws(() => access.authenticateForm(form(OFF), NOW), (e: S3Error) => e.code === 'InvalidAccessKeyId' && e.status === 403);
});

test('ListBuckets shows the buckets the policy lets the identity use, sorted', () => {
  const pat = { principal: 'pat', accessKeyId: ON.accessKeyId, presigned: false };
  assert.deepEqual(access.visibleBuckets(pat, ['site', 'other', 'photos'], NOW), ['site']);
  assert.deepEqual(access.visibleBuckets({ presigned: false }, ['site', 'photos'], NOW), []);
});

test('a signing key chain goes on for any configured key; an unknown key is InvalidAccessKeyId', () => {
  assert.equal(access.userSigningKey(ON.accessKeyId, '20260327', 'us-east-1', 's3').length, 32);
  assert.throws(() => access.userSigningKey('AKIANOBODY0000000000', '20260327', 'us-east-1', 's3'), (e: S3Error) => e.code === 'InvalidAccessKeyId');
});
