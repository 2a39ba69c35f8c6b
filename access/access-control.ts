// The one seam for identity and policy below both services: ext_authz authenticates requests and
// asks for decisions here, ext_proc authenticates POST forms, continues signed chunk chains and
// filters ListBuckets here. Nothing else looks up a secret or evaluates a policy.
import { BoundedMap } from '../core/bounded-cache.ts';
import { errors } from '../core/errors.ts';
import type { GatewayConfig } from '../core/config/types.ts';
import type { FormField } from '../core/s3/post-form.ts';
import type { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import type { PrincipalDocument } from '../core/policy/input-document.ts';
import type { IncomingRequest } from '../core/sigv4/verify.ts';
import { Admission, type AdmissionRequest, type AdmissionVerdict } from './admission.ts';
import type { AuditTrail } from './audit.ts';
import { assertNotSigV2Query, isAnonymous } from './identity/anonymous.ts';
import { authMethod, type Identity } from './identity/identity.ts';
import { authenticatePostForm, type PostFormAuth } from './identity/post-form.ts';
import { authenticateSigV4 } from './identity/sigv4.ts';
import { PolicyEngine, type PolicyConfigPart } from './policy/engine.ts';
import type { Decision, Verdict } from './policy/evaluate.ts';
import type { PolicyRequest } from './policy/input.ts';
import { FILTERABLE, type ListingVerdict } from './policy/listing.ts';
import { Principals } from './principals.ts';

export type { Identity } from './identity/identity.ts';
export type { Decision, Verdict } from './policy/evaluate.ts';
export type { ListingVerdict } from './policy/listing.ts';

/** A request as the policy is asked about it; whether it was presigned comes from the identity. */
export type AccessRequest = Omit<PolicyRequest, 'presigned'>;

export class AccessControl {
  private readonly principals: Principals;
  private readonly policy: PolicyEngine;
  private readonly admission: Admission;
  private readonly region?: string;
  /** principalOf()'s documents by who and how. */
  private readonly principalDocuments = new BoundedMap<PrincipalDocument>();

  constructor(config: PolicyConfigPart & Pick<GatewayConfig, 'listen' | 'admission'>, private readonly keys: SigningKeyCache) {
    this.principals = new Principals(config.users);
    this.policy = new PolicyEngine(config);
    this.admission = new Admission(config.admission);
    this.region = config.listen.region;
  }

  /** The admission rules' verdict, before authentication: only what the request says, no secret. */
  admit(req: AdmissionRequest): AdmissionVerdict {
    return this.admission.decide(req);
  }

  /**
   * Who sent the request. Without credentials it is the anonymous principal, whose rules (open_access,
   * public prefixes) the policy asks; with credentials it is their user or an error, never anonymous.
   */
  authenticate(req: IncomingRequest, now: Date): Identity {
    if (isAnonymous(req)) {
      assertNotSigV2Query(req);
      return { presigned: false };
    }
    return authenticateSigV4(req, this.principals, this.keys, now, this.region);
  }

  /** Who signed a POST Object form, with its decoded policy; a form without credentials is refused. */
  authenticateForm(fields: FormField[], now: Date): { identity: Identity } & PostFormAuth {
    const auth = authenticatePostForm(fields, (ak) => this.principals.active(ak, now)?.secret, now, this.keys, this.region);
    // A form without credentials would be an anonymous write: there is no public-write grant to allow it.
    if (!auth) throw errors.accessDenied();
    const principal = this.principals.byAccessKey(auth.accessKeyId)!.principal.name;
    return { ...auth, identity: { principal, accessKeyId: auth.accessKeyId, presigned: false, postForm: true } };
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

  /** The policy's decision on one request of this identity, with its explanation (every rule's outcome). */
  decide(identity: Identity, req: AccessRequest, now: Date): Decision {
    return this.policy.decide(this.principalOf(identity), { ...req, presigned: identity.presigned }, now);
  }

  /** The same verdict as decide() without the explanation: what serving a request needs, at less cost. */
  verdict(identity: Identity, req: AccessRequest, now: Date): Verdict {
    return this.policy.verdict(this.principalOf(identity), { ...req, presigned: identity.presigned }, now);
  }

  /**
   * verdict(), S3's AccessDenied unless it allows. The trail keeps the rule that decided: a denial's
   * (none for a default deny), else the first allow (a copy's source read does not replace it).
   */
  assertAllowed(identity: Identity, req: AccessRequest, now: Date, trail: AuditTrail): void {
    const verdict = this.verdict(identity, req, now);
    trail.rule = verdict.allowed ? trail.rule ?? verdict.deciding : verdict.deciding;
    if (!verdict.allowed) throw errors.accessDenied();
  }

  /**
   * Whether this request is over many keys and served filtered when broader than the grant — a
   * listing, a DeleteObjects batch (then ask assertKeys, not assertAllowed). Anonymous requests are
   * not: they stay inside a public prefix, and may not delete.
   */
  filtersKeys(identity: Identity, operation: string): boolean {
    return identity.principal !== undefined && FILTERABLE.has(operation);
  }

  /**
   * The scope of a request over many keys (filtersKeys), S3's AccessDenied when none; the trail keeps
   * the deciding rule, as assertAllowed() does. `filtered`: ext_proc leaves out what may not be listed,
   * or decides a batch's deletes key by key.
   */
  assertKeys(identity: Identity, req: AccessRequest, now: Date, trail: AuditTrail): 'whole' | 'filtered' {
    const { scope, deciding } = this.listingVerdict(identity, req, now);
    trail.rule = deciding;
    if (scope === 'none') throw errors.accessDenied();
    return scope;
  }

  /** The verdict of a request over many keys (filtersKeys): whole, filtered by ext_proc, or none. */
  listingVerdict(identity: Identity, req: AccessRequest, now: Date): ListingVerdict {
    return this.policy.listing(this.principalOf(identity), { ...req, presigned: identity.presigned }, now);
  }

  /** Of `buckets`, those the identity may see (as HeadBucket would be allowed), sorted: ListBuckets. */
  visibleBuckets(identity: Identity, buckets: Iterable<string>, now: Date, sourceIp = ''): string[] {
    return [...buckets].filter((bucket) => this.verdict(identity, { operation: 'HeadBucket', method: 'HEAD', bucket, key: '', sourceIp }, now).allowed).sort();
  }

  /**
   * One document per who and how (made once: its CEL form is then converted once too, see
   * core/policy/cel-document.ts), in a bounded map: a caller may ask about any identity.
   */
  private principalOf(identity: Identity): PrincipalDocument {
    const how = authMethod(identity);
    const keyId = identity.accessKeyId ?? '';
    // The key id's length says where the name starts: no two identities share a key.
    const key = `${how}:${keyId.length}:${keyId}${identity.principal ?? ''}`;
    return (
      this.principalDocuments.get(key) ??
      this.principalDocuments.set(key, { name: identity.principal ?? '', groups: this.policy.groupsOf(identity.principal), authMethod: how, keyId, claims: {} })
    );
  }
}
