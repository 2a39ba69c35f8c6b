// Requests the gateway itself makes to a backend (the managed backend's buckets today; delta
// compression's reference reads next), signed with the backend's own credentials by the same signer
// that re-signs client requests.
import type { BackendConfig } from '../core/config/types.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { backendAuthority } from '../core/backend-authority.ts';
import { BackendSigner } from './signer.ts';

export interface BackendCall {
  method: string;
  /** Path as it goes on the wire: canonically encoded, the bucket in it for path-style backends. */
  path: string;
  /** Query in wire form (encoded), '' for none. */
  wireQuery?: string;
  /** Extra headers; x-amz-* ones are signed. */
  headers?: Record<string, string>;
  /** For virtual-host backends: the bucket that goes into the host name. */
  bucket?: string;
}

export class SignedBackendClient {
  private readonly signer: BackendSigner;

  constructor(private readonly backend: BackendConfig, keys: SigningKeyCache) {
    this.signer = new BackendSigner(backend, keys);
  }

  async request(call: BackendCall, now = new Date()): Promise<Response> {
    const authority = backendAuthority(this.backend, call.bucket);
    const payloadHash = 'UNSIGNED-PAYLOAD';
    const headersToSign: Record<string, string> = { host: authority, 'x-amz-content-sha256': payloadHash };
    for (const [name, value] of Object.entries(call.headers ?? {})) {
      if (name.toLowerCase().startsWith('x-amz-')) headersToSign[name.toLowerCase()] = value;
    }
    const wireQuery = call.wireQuery ?? '';
    const plan = { authority, path: call.path, query: {}, wireQuery, headersToSign };
    const { authorization, amzDate } = this.signer.sign(call.method, plan, now);
    const url = `${this.backend.endpoint.scheme}://${authority}${call.path}${wireQuery ? `?${wireQuery}` : ''}`;
    // fetch sets Host from the URL, which is `authority`: the signed value.
    const { host: _host, ...sent } = headersToSign;
    return fetch(url, {
      method: call.method,
      headers: { ...call.headers, ...sent, authorization, 'x-amz-date': amzDate },
    });
  }
}
