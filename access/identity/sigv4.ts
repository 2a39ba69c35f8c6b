// The SigV4 authenticator (Authorization header or presigned query): the signature is checked with
// the user's secret, which stays in access/. Only an active key is found.
import { verifySigV4, type IncomingRequest } from '../../core/sigv4/verify.ts';
import type { SigningKeyCache } from '../../core/sigv4/signing-key.ts';
import type { Principals } from '../principals.ts';
import type { Identity } from './identity.ts';

export function authenticateSigV4(req: IncomingRequest, principals: Principals, keys: SigningKeyCache, now: Date, region: string | undefined): Identity {
  const v = verifySigV4(req, (ak) => principals.active(ak, now)?.secret, now, keys, { region });
  return { principal: principals.byAccessKey(v.accessKeyId)!.principal.name, accessKeyId: v.accessKeyId, presigned: v.presigned };
}
