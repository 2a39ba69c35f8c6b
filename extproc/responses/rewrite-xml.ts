// Rewrites the backend's view (real bucket, backend URL, account, region) into the client's view in S3 XML bodies.
// Only the elements S3 uses for them are touched, so object keys and other content stay as they are.
import { escapeXml } from '../../core/xml.ts';

/** An account as S3 shows it: ID (the client's access key id, as versitygw and MinIO show theirs) and name. */
export interface Account {
  id: string;
  displayName: string;
}

/** The account a request is shown as: the gateway user and the key it signed with. */
export function accountOf(d: { principal?: string; accessKeyId?: string }): Account {
  return { id: d.accessKeyId ?? 'anonymous', displayName: d.principal ?? 'anonymous' };
}

export interface XmlRewrite {
  realBucket: string;
  virtualBucket: string;
  /** Backend base URLs whose paths start with the bucket (path-style), e.g. http://127.0.0.1:9100. */
  pathStyleBases: string[];
  /** Backend base URLs that already name the bucket (virtual-host), e.g. http://real.s3.example.com. */
  bucketBases: string[];
  /** The gateway's base URL as the client reached it (path style), e.g. http://127.0.0.1:9000. */
  gatewayBase: string;
  /** Who the client is told owns things: the gateway user asking (the backend sees one account, ours). */
  account: Account;
  /** The region the gateway shows for every bucket (never the backend's). */
  region: string;
}

const NAME_ELEMENTS = /<(Name|Bucket|BucketName)>([^<]*)<\/\1>/g;
const URL_ELEMENTS = /<(Location|Resource)>([^<]*)<\/\1>/g;
/** GetBucketLocation's answer; S3 leaves it empty for us-east-1. */
const LOCATION_CONSTRAINT = /<LocationConstraint(\s[^>]*)?(\/>|>[^<]*<\/LocationConstraint>)/g;
/** Elements that name an account: Owner, Initiator (multipart) and ACL grantees. */
const ACCOUNT_ELEMENTS = /<(Owner|Initiator|Grantee)(\s[^>]*)?>([\s\S]*?)<\/\1>/g;
const ACCOUNT_FIELDS = /<(ID|DisplayName)>[^<]*<\/\1>/g;

/** '/real' or '/real/…' becomes '/virtual…'; any other path is left alone. */
function rewriteBucketPath(path: string, r: XmlRewrite): string {
  const prefix = `/${r.realBucket}`;
  if (path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`)) {
    return `/${r.virtualBucket}${path.slice(prefix.length)}`;
  }
  return path;
}

function rewriteUrl(value: string, r: XmlRewrite): string {
  for (const base of r.bucketBases) {
    if (value === base || value.startsWith(`${base}/`)) return `${r.gatewayBase}/${r.virtualBucket}${value.slice(base.length)}`;
  }
  for (const base of r.pathStyleBases) {
    if (value.startsWith(`${base}/`)) return r.gatewayBase + rewriteBucketPath(value.slice(base.length), r);
  }
  return rewriteBucketPath(value, r);
}

/**
 * A Location header: the object's URL after a POST Object, or the form's success_action_redirect
 * with `bucket=<real>` in its query.
 */
export function rewriteLocation(value: string, r: XmlRewrite): string {
  const realParam = `bucket=${encodeURIComponent(r.realBucket)}`;
  return rewriteUrl(value, r).replace(/([?&])(bucket=[^&#]*)/, (m, sep: string, param: string) =>
    (param === realParam ? `${sep}bucket=${encodeURIComponent(r.virtualBucket)}` : m));
}

/** The backend's account (for some backends, its access key id) becomes the gateway user's. */
function rewriteAccounts(xml: string, account: Account): string {
  const value = { ID: escapeXml(account.id), DisplayName: escapeXml(account.displayName) };
  return xml.replace(ACCOUNT_ELEMENTS, (_m, el: string, attrs: string | undefined, inner: string) =>
    `<${el}${attrs ?? ''}>${inner.replace(ACCOUNT_FIELDS, (_f, field: 'ID' | 'DisplayName') => `<${field}>${value[field]}</${field}>`)}</${el}>`);
}

export function rewriteXml(xml: string, r: XmlRewrite): string {
  const renamed = xml
    .replace(NAME_ELEMENTS, (m, el: string, v: string) => (v === r.realBucket ? `<${el}>${r.virtualBucket}</${el}>` : m))
    .replace(URL_ELEMENTS, (_m, el: string, v: string) => `<${el}>${rewriteUrl(v, r)}</${el}>`);
  const region = r.region === 'us-east-1' ? '' : escapeXml(r.region);
  return rewriteAccounts(renamed, r.account).replace(LOCATION_CONSTRAINT, (_m, attrs: string | undefined) =>
    `<LocationConstraint${attrs ?? ''}>${region}</LocationConstraint>`);
}
