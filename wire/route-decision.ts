// What ext_authz decided about a request and — for the few requests that need ext_proc — what ext_proc
// must do, as Envoy dynamic metadata, so that nothing is parsed, looked up or authorized twice.
import type { RouteDecision } from '../core/route-decision.ts';
import type { S3Operation } from '../core/s3/operation.ts';
import { fromStruct, toStruct } from './headers.ts';
import { WORK_HEADER } from './names.ts';

/** What ext_proc does for a request; ext_authz decides it, so ext_proc never re-derives it. */
export type ExtProcStage =
  /** Answer ListBuckets from the config. */
  | 'list-buckets'
  /** Authenticate and re-sign a POST Object form from the body's first bytes. */
  | 'post-form'
  /** Verify and re-sign a signed aws-chunked body. */
  | 'signed-chunks'
  /** Decide a DeleteObjects batch key by key: forward the allowed keys, answer the rest AccessDenied. */
  | 'delete-objects'
  /** Rewrite XML error bodies (and the Location header) into the client's view. */
  | 'rewrite-errors'
  /** Rewrite successful XML bodies too. */
  | 'rewrite-success'
  /** Apply encoding-type=url to a listing for a backend that ignores it. */
  | 'listing-url-encoding'
  /** Leave out of a filesystem listing what the client may not reach. */
  | 'listing-fs-hide'
  /** Leave out of a listing broader than the grant what the principal may not read. */
  | 'listing-policy-filter';

const STAGES: ReadonlySet<string> = new Set<ExtProcStage>([
  'list-buckets', 'post-form', 'signed-chunks', 'delete-objects', 'rewrite-errors', 'rewrite-success', 'listing-url-encoding', 'listing-fs-hide', 'listing-policy-filter',
]);

/** One end of a signed chunk chain: the scope, time and seed signature it starts from (none is secret). */
export interface ChainSeed {
  /** `AK/date/region/service/aws4_request`. */
  credential: string;
  datetime: string;
  signature: string;
}

export interface ExtProcTicket {
  stages: ExtProcStage[];
  /** The client's :authority (ext_authz replaced it with the backend's): URLs are rewritten back to it. */
  clientAuthority: string;
  /** Signed aws-chunked bodies: the client's chain and the backend's (its request signature). */
  chunks?: { client: ChainSeed; backend: ChainSeed };
  /**
   * With 'listing-policy-filter' or 'delete-objects': the time ext_authz decided at (ISO 8601), so that ext_proc asks the
   * policy about each entry at the same instant and a condition on request.time agrees with the listing's.
   */
  requestTime?: string;
}

export type { RouteDecision };

export interface ExtProcWork {
  decision: RouteDecision;
  ticket: ExtProcTicket;
}

const SEED_FIELDS = ['credential', 'datetime', 'signature'] as const;

function seedFields(prefix: string, s: ChainSeed | undefined): Record<string, string | undefined> {
  return Object.fromEntries(SEED_FIELDS.map((f) => [`${prefix}${f}`, s?.[f]]));
}

type WorkFields = Record<string, string | boolean | undefined>;

function workFields({ decision: d, ticket: t }: ExtProcWork): WorkFields {
  return {
    op: d.op,
    principal: d.principal,
    accessKeyId: d.accessKeyId,
    bucket: d.bucket,
    realBucket: d.realBucket,
    backend: d.backend,
    encodedKey: d.encodedKey,
    presigned: d.presigned,
    copySource: d.copySource,
    sourceIp: d.sourceIp,
    stages: t.stages.join(','),
    clientAuthority: t.clientAuthority,
    requestTime: t.requestTime,
    ...seedFields('clientSeed.', t.chunks?.client),
    ...seedFields('backendSeed.', t.chunks?.backend),
  };
}

/** As ext_authz's gRPC answer carries it: dynamic metadata. `extra`: more fields there (the access log's). */
export function workToStruct(work: ExtProcWork, extra: Record<string, string> = {}) {
  return toStruct({ ...workFields(work), ...extra });
}

/**
 * A request ext_authz allowed with nothing for ext_proc to do, as its gRPC answer marks it. Our own Envoy
 * never sends such a request to ext_proc (its route switches ext_proc off); a mesh that cannot switch it
 * per route (Envoy Gateway) does, and ext_proc then lets it pass unchanged. Metadata is only ever set by
 * Envoy's filters, so no client can forge the mark; a request with neither mark nor ticket is refused.
 */
export function checkedStruct(extra?: Record<string, string>) {
  return extra ? toStruct({ checked: true, ...extra }) : CHECKED;
}

/** The mark alone, as nearly every plain request carries it: built once. */
const CHECKED = toStruct({ checked: true });

export function wasChecked(s: { fields?: Record<string, any> } | undefined): boolean {
  return fromStruct(s).checked === true;
}

/** As ext_authz's HTTP answer carries it: one header (base64url JSON) that Envoy turns into metadata. */
export function workToHeader(work: ExtProcWork): string {
  return Buffer.from(JSON.stringify(workFields(work))).toString('base64url');
}

/** The fields of either form; a malformed header is no ticket. */
function fieldsOf(s: { fields?: Record<string, any> } | undefined): Record<string, unknown> {
  const f = fromStruct(s);
  const header = f[WORK_HEADER];
  if (typeof header !== 'string') return f;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** ext_proc's ticket from the ext_authz metadata namespace, in whichever form ext_authz sent it. */
export function workFromStruct(s: { fields?: Record<string, any> } | undefined): ExtProcWork | undefined {
  const f = fieldsOf(s);
  if (typeof f.op !== 'string' || typeof f.encodedKey !== 'string' || typeof f.stages !== 'string') return undefined;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
  const seed = (prefix: string): ChainSeed | undefined => {
    const [credential, datetime, signature] = SEED_FIELDS.map((k) => str(`${prefix}${k}`));
    return credential !== undefined && datetime !== undefined && signature !== undefined ? { credential, datetime, signature } : undefined;
  };
  const stages = f.stages === '' ? [] : f.stages.split(',');
  if (!stages.every((x) => STAGES.has(x))) return undefined;
  const client = seed('clientSeed.');
  const backend = seed('backendSeed.');
  const requestTime = str('requestTime');
  return {
    decision: {
      op: f.op as S3Operation,
      principal: str('principal'),
      accessKeyId: str('accessKeyId'),
      bucket: str('bucket'),
      realBucket: str('realBucket'),
      backend: str('backend'),
      encodedKey: f.encodedKey,
      presigned: f.presigned === true,
      copySource: str('copySource'),
      sourceIp: str('sourceIp'),
    },
    ticket: {
      stages: stages as ExtProcStage[],
      clientAuthority: str('clientAuthority') ?? '',
      ...(requestTime !== undefined && { requestTime }),
      ...(client && backend && { chunks: { client, backend } }),
    },
  };
}
