// The response stage: a backend's XML answer (and its Location header) turned into the client's view,
// and the gateway's own fixes to listings. Whether a response needs this was decided from the request
// (core/s3/response-rewrite.ts); here only the status and content type can still rule it out.
import { isHidden } from '../../backends/fs-containment.ts';
import type { BackendConfig } from '../../core/config/types.ts';
import { mergeDeleteResult } from '../../core/s3/delete-objects.ts';
import { errors } from '../../core/errors.ts';
import type { ExtProcStage, RouteDecision } from '../../wire/route-decision.ts';
import { applyUrlEncoding } from './list-encoding.ts';
import { filterListing, pinNextMarker, type Hidden } from './list-filter.ts';
import { accountOf, rewriteLocation, rewriteXml, type XmlRewrite } from './rewrite-xml.ts';

export interface ResponseContext {
  decision: RouteDecision;
  backend: BackendConfig;
  stages: readonly ExtProcStage[];
  /** How the client reached the gateway: scheme and :authority. */
  scheme: string;
  clientAuthority: string;
  region: string;
  /** With 'listing-policy-filter': the entries the principal may not read (list-policy.ts). */
  policyHidden?: Hidden;
  /** With 'delete-objects': the keys the gateway refused, as <Error> entries (known once the body was read). */
  deniedEntries?: () => string;
}

function xmlRewriteOf(c: ResponseContext): XmlRewrite {
  const { decision: d, backend } = c;
  const e = backend.endpoint;
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  const bases = [`${e.scheme}://${host}:${e.port}`, `${e.scheme}://${host}`];
  let authority = c.clientAuthority;
  if (authority.startsWith(`${d.bucket}.`)) authority = authority.slice(d.bucket!.length + 1);
  return {
    realBucket: d.realBucket!,
    virtualBucket: d.bucket!,
    pathStyleBases: backend.addressing === 'path' ? bases : [],
    bucketBases: backend.addressing === 'virtual' ? bases.map((b) => b.replace('://', `://${d.realBucket}.`)) : [],
    gatewayBase: `${c.scheme}://${authority}`,
    account: accountOf(d),
    region: c.region,
  };
}

export class XmlResponseStage {
  private readonly rewrite: XmlRewrite;
  private readonly success: boolean;
  private readonly hidden?: Hidden;
  /** A V1 listing that is filtered: its truncated pages name where the backend stopped. */
  private readonly pinMarker: boolean;
  private readonly urlEncode: boolean;
  private readonly deniedEntries?: () => string;
  private status = 0;

  constructor(c: ResponseContext) {
    this.rewrite = xmlRewriteOf(c);
    this.success = c.stages.includes('rewrite-success');
    this.urlEncode = c.stages.includes('listing-url-encoding');
    const dataDir = c.backend.filesystem?.path;
    const fsHidden = dataDir !== undefined && c.stages.includes('listing-fs-hide') ? (key: string) => isHidden(dataDir, c.decision.realBucket!, key) : undefined;
    const policyHidden = c.stages.includes('listing-policy-filter') ? c.policyHidden : undefined;
    const hiders = [fsHidden, policyHidden].filter((h): h is Hidden => h !== undefined);
    if (hiders.length > 0) this.hidden = (name, kind) => hiders.some((h) => h(name, kind));
    this.pinMarker = policyHidden !== undefined && c.decision.op === 'ListObjects';
    if (c.deniedEntries) this.deniedEntries = c.deniedEntries;
  }

  /** The Location header to set (POST Object answers with the object's URL), and whether the body is wanted. */
  onHeaders(headers: Record<string, string>): { location?: string; wantBody: boolean } {
    this.status = Number(headers[':status'] ?? '0');
    const isXml = (headers['content-type'] ?? '').includes('xml');
    const location = headers['location'] === undefined ? undefined : rewriteLocation(headers['location'], this.rewrite);
    const wantBody = isXml && (this.status >= 300 || this.success);
    // Asked for identity (authz/upstream.ts): a compressed body here can be neither rewritten nor
    // filtered, and passing it on could show what the rewrite hides. Fail closed.
    const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (wantBody && encoding !== 'identity' && encoding !== '') throw errors.internal();
    return { ...(location !== undefined && { location }), wantBody };
  }

  onBody(body: Buffer): Buffer {
    let xml = rewriteXml(body.toString('utf8'), this.rewrite);
    // Listing fixes apply to listings only, never to an error document.
    if (this.status === 200) {
      if (this.pinMarker) xml = pinNextMarker(xml);
      if (this.hidden) xml = filterListing(xml, this.hidden);
      if (this.urlEncode) xml = applyUrlEncoding(xml);
      if (this.deniedEntries) xml = mergeDeleteResult(xml, this.deniedEntries());
    }
    return Buffer.from(xml, 'utf8');
  }
}
