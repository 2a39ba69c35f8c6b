// Canary: proves a backend really verifies SigV4 signatures (so a gateway that re-signs is being tested
// for real). A ListBuckets signed with the right access key but a wrong secret must get 403 with
// SignatureDoesNotMatch in the body.
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { Backend } from './backends.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export async function assertCanary(backend: Pick<Backend, 'name' | 'endpoint' | 'accessKey' | 'secretKey'>): Promise<void> {
  const url = new URL(backend.endpoint);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    sha256: Sha256,
    uriEscapePath: false,
    credentials: { accessKeyId: backend.accessKey, secretAccessKey: `${backend.secretKey}-WRONG` },
  });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'x-amz-content-sha256': EMPTY_SHA256 },
  });
  const res = await fetch(`${backend.endpoint}/`, { method: 'GET', headers: signed.headers });
  const body = await res.text();
  if (res.status !== 403 || !body.includes('SignatureDoesNotMatch')) {
    throw new Error(
      `canary failed for ${backend.name} (${backend.endpoint}): a request signed with a wrong secret got ` +
      `HTTP ${res.status}, expected 403 SignatureDoesNotMatch. Body: ${body.slice(0, 500)}`,
    );
  }
}
