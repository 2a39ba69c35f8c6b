// Signs backend requests with the backend's own credentials (SigV4 header auth).
//
// Hand-written on the same canonicalization the verifier uses (core/sigv4) rather than with
// @smithy/signature-v4: measured on the small-request path, smithy's signer (async, clones the
// request, re-derives an HMAC of the credentials on every call) was the largest single cost in Node.
// test/unit/extproc-sign.test.ts checks every signature against @smithy/signature-v4 byte for byte.
import type { BackendConfig } from '../core/config/types.ts';
import { canonicalQuery, canonicalRequest } from '../core/sigv4/canonical.ts';
import { credentialScope } from '../core/sigv4/scope.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { formatAmzDate } from '../core/sigv4/time.ts';
import { signatureFor, stringToSign } from '../core/sigv4/verify.ts';
import type { BackendRequestPlan } from './request-plan.ts';

export class BackendSigner {
  constructor(
    private readonly backend: BackendConfig,
    private readonly keys: SigningKeyCache,
  ) {}

  /** Returns the headers to set on the upstream request: authorization and x-amz-date. */
  sign(method: string, plan: BackendRequestPlan, now: Date): { authorization: string; amzDate: string } {
    const amzDate = formatAmzDate(now);
    const { accessKeyId, secretAccessKey } = this.backend.credentials;
    const credential = { accessKeyId, date: amzDate.slice(0, 8), region: this.backend.region, service: 's3' };
    const headers: Record<string, string> = { ...plan.headersToSign, 'x-amz-date': amzDate };
    const names = Object.keys(headers).sort();
    let block = '';
    for (const name of names) block += `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`;
    const request = canonicalRequest({
      method,
      canonicalUri: plan.path,
      canonicalQuery: canonicalQuery(plan.wireQuery),
      canonicalHeaders: block,
      signedHeaders: names,
      payloadHash: headers['x-amz-content-sha256']!,
    });
    const scope = credentialScope(credential);
    const key = this.keys.get(accessKeyId, secretAccessKey, credential.date, credential.region, 's3');
    const signature = signatureFor(stringToSign(amzDate, scope, request), key);
    return {
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
      amzDate,
    };
  }
}
