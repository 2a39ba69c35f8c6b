// The one seam for identity and policy below both services: ext_authz authenticates requests and
// checks grants here, ext_proc authenticates POST forms and continues signed chunk chains here.
// Nothing else looks up a secret or checks a grant.
import { errors } from '../core/errors.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import type { FormField } from '../core/s3/post-form.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import type { IncomingRequest } from '../core/sigv4/verify.ts';
import { BucketGrants } from './grants.ts';
import { assertNotSigV2Query, isAnonymous } from './identity/anonymous.ts';
import type { Identity } from './identity/identity.ts';
import { authenticatePostForm, type PostFormAuth } from './identity/post-form.ts';
import { authenticateSigV4 } from './identity/sigv4.ts';
import { Principals } from './principals.ts';

export type { Identity } from './identity/identity.ts';

export class AccessControl {
  private readonly principals: Principals;
  private readonly grants: BucketGrants;
  private readonly region?: string;
  private readonly openAccess: boolean;

  constructor(config: Pick<GatewayConfig, 'users' | 'openAccess' | 'listen'>, private readonly keys: SigningKeyCache) {
    this.principals = new Principals(config.users);
    this.grants = new BucketGrants(config.users, config.openAccess);
    this.region = config.listen.region;
    this.openAccess = config.openAccess;
  }

  /** Who sent the request; anonymous only under open_access, else AccessDenied. */
  authenticate(req: IncomingRequest, now: Date): Identity {
    if (isAnonymous(req)) {
      assertNotSigV2Query(req);
      if (this.openAccess) return { presigned: false };
      throw errors.accessDenied();
    }
    return authenticateSigV4(req, this.principals, this.keys, now, this.region);
  }

  /** Who signed a POST Object form, with its decoded policy; a form without credentials is refused. */
  authenticateForm(fields: FormField[], now: Date): { identity: Identity } & PostFormAuth {
    const auth = authenticatePostForm(fields, (ak) => this.principals.byAccessKey(ak)?.secret, now, this.keys, this.region);
    // A form without credentials would be an anonymous write: there is no public-write grant to allow it.
    if (!auth) throw errors.accessDenied();
    const principal = this.principals.byAccessKey(auth.accessKeyId)!.principal.name;
    return { ...auth, identity: { principal, accessKeyId: auth.accessKeyId, presigned: false } };
  }

  /**
   * The signing key of a user's credential scope, to verify a signature chain that started with a
   * request this service authenticated (signed aws-chunked bodies). The secret itself never leaves.
   */
  userSigningKey(accessKeyId: string, date: string, region: string, service: string): Buffer {
    const holder = this.principals.byAccessKey(accessKeyId);
    if (!holder) throw errors.invalidAccessKeyId(accessKeyId);
    return this.keys.get(accessKeyId, holder.secret, date, region, service);
  }

  mayUse(identity: Identity, bucket: string): boolean {
    return this.grants.mayUse(identity.principal, bucket);
  }

  /** Of `buckets`, those the identity may use, sorted (ListBuckets). */
  visibleBuckets(identity: Identity, buckets: Iterable<string>): string[] {
    return [...buckets].filter((b) => this.mayUse(identity, b)).sort();
  }
}
