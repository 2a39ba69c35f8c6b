// Browser-style POST Object forms, built and signed here with node:crypto alone (not with the
// gateway's code), as AWS documents them: a base64 policy signed with the SigV4 signing key.
import { createHmac, randomBytes } from 'node:crypto';
import type { Creds } from './raw-request.ts';

export interface FormSpec {
  creds: Creds;
  bucket: string;
  key: string;
  file: Buffer;
  filename?: string;
  /** Extra fields, sent before the file and covered by an eq condition unless listed in `uncovered`. */
  fields?: Record<string, string>;
  uncovered?: string[];
  /** Conditions beside the generated ones (bucket, key, credential, algorithm, date and `fields`). */
  conditions?: unknown[];
  /** Replaces the generated bucket condition. */
  bucketCondition?: unknown;
  expiration?: Date;
  signedAt?: Date;
  region?: string;
  /** Spoils the signature after signing. */
  tamperSignature?: boolean;
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** The multipart body and its Content-Type, fields in the order a browser sends them, file last. */
export function postForm(spec: FormSpec): { body: Buffer; contentType: string } {
  const at = spec.signedAt ?? new Date();
  const date = amzDate(at);
  const region = spec.region ?? 'us-east-1';
  const credential = `${spec.creds.accessKeyId}/${date.slice(0, 8)}/${region}/s3/aws4_request`;
  const extra = spec.fields ?? {};
  const policy = {
    expiration: (spec.expiration ?? new Date(at.getTime() + 600_000)).toISOString(),
    conditions: [
      spec.bucketCondition ?? { bucket: spec.bucket },
      ['starts-with', '$key', ''],
      { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
      { 'x-amz-credential': credential },
      { 'x-amz-date': date },
      ...Object.entries(extra).filter(([k]) => !spec.uncovered?.includes(k)).map(([k, v]) => ({ [k]: v })),
      ...(spec.conditions ?? []),
    ],
  };
  const policyB64 = Buffer.from(JSON.stringify(policy)).toString('base64');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${spec.creds.secretAccessKey}`, date.slice(0, 8)), region), 's3'), 'aws4_request');
  let signature = hmac(kSigning, policyB64).toString('hex');
  if (spec.tamperSignature) signature = (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1);
  const fields: Array<[string, string]> = [
    ['key', spec.key],
    ...Object.entries(extra),
    ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
    ['x-amz-credential', credential],
    ['x-amz-date', date],
    ['policy', policyB64],
    ['x-amz-signature', signature],
  ];
  const boundary = `----BucketgateForm${randomBytes(8).toString('hex')}`;
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${spec.filename ?? 'upload.bin'}"\r\n`
    + 'Content-Type: application/octet-stream\r\n\r\n';
  return {
    body: Buffer.concat([Buffer.from(parts.join('') + fileHead), spec.file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
