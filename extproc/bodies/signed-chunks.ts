// The body stage for signed aws-chunked uploads: both ends of the signature chain are built from
// the seeds ext_authz handed over (the client's key comes from access/, the backend's from its
// credentials), then every frame streams through the resigner.
import type { AccessControl } from '../../access/access-control.ts';
import type { BackendConfig } from '../../core/config/types.ts';
import { parseCredential } from '../../core/sigv4/scope.ts';
import type { SigningKeyCache } from '../../core/sigv4/signing-key.ts';
import { errors } from '../../core/errors.ts';
import type { ChainSeed, ExtProcTicket } from '../../wire/route-decision.ts';
import { AwsChunkedResigner } from './aws-chunked.ts';
import type { BodyOutput, BodyStage } from './body-stage.ts';

function chainEnd(seed: ChainSeed, key: (accessKeyId: string, date: string, region: string, service: string) => Buffer) {
  const c = parseCredential(seed.credential, () => errors.internal());
  return { key: key(c.accessKeyId, c.date, c.region, c.service), datetime: seed.datetime, scope: seed.credential.slice(c.accessKeyId.length + 1), seed: seed.signature, accessKeyId: c.accessKeyId };
}

export class SignedChunksStage implements BodyStage {
  private resigner?: AwsChunkedResigner;

  constructor(
    chunks: NonNullable<ExtProcTicket['chunks']>,
    headers: Record<string, string>,
    access: AccessControl,
    backend: BackendConfig,
    keys: SigningKeyCache,
  ) {
    const client = chainEnd(chunks.client, (ak, ...scope) => access.userSigningKey(ak, ...scope));
    const { accessKeyId, secretAccessKey } = backend.credentials;
    const ours = chainEnd(chunks.backend, (_ak, ...scope) => keys.get(accessKeyId, secretAccessKey, ...scope));
    this.resigner = new AwsChunkedResigner({
      accessKeyId: client.accessKeyId,
      client,
      backend: ours,
      trailer: (headers['x-amz-content-sha256'] ?? '').endsWith('-TRAILER'),
      decodedLength: Number(headers['x-amz-decoded-content-length']),
    });
  }

  get awaiting(): boolean {
    return this.resigner !== undefined;
  }

  onBody(chunk: Buffer, end: boolean): BodyOutput {
    if (!this.resigner) return { body: chunk };
    const body = this.resigner.push(chunk);
    if (end) {
      this.resigner.end();
      this.resigner = undefined;
    }
    return { body };
  }
}
