// Signs backend requests with the backend's own credentials, using the AWS SigV4 signer.
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BackendConfig } from '../core/config/types.ts';
import type { BackendRequestPlan } from './backend-request.ts';

export class BackendSigner {
  private readonly signer: SignatureV4;

  constructor(private readonly backend: BackendConfig) {
    this.signer = new SignatureV4({
      service: 's3',
      region: backend.region,
      credentials: backend.credentials,
      sha256: Hash.bind(null, 'sha256'),
      // The plan's path is already canonically encoded, and S3 does not normalize paths.
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /** Returns the headers to set on the upstream request: authorization and x-amz-date. */
  async sign(method: string, plan: BackendRequestPlan, now: Date): Promise<{ authorization: string; amzDate: string }> {
    const req = new HttpRequest({
      method,
      protocol: `${this.backend.endpoint.scheme}:`,
      hostname: plan.authority,
      path: plan.path,
      query: plan.query,
      headers: { ...plan.headersToSign },
    });
    const signed = await this.signer.sign(req, { signingDate: now });
    return { authorization: signed.headers['authorization']!, amzDate: signed.headers['x-amz-date']! };
  }
}
