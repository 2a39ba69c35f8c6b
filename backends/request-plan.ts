// Plans the request as the backend must receive it: host, path with the real bucket, query
// without the client's presign parameters, and the headers to sign. Pure: signing happens later.
import { backendAuthority } from '../core/backend-authority.ts';
import type { BackendConfig } from '../core/config/types.ts';
import type { RouteDecision } from '../core/route-decision.ts';
import { S3Error } from '../core/errors.ts';
import { parseAuthorizationHeader } from '../core/sigv4/auth-header.ts';
import { uriEncode } from '../core/sigv4/canonical.ts';

export interface BackendRequestPlan {
  authority: string;
  /** Path without query, canonically encoded (what goes on the wire is what is signed). */
  path: string;
  /** Decoded query for the signer, and the wire form in the same encoding. */
  query: Record<string, string | string[]>;
  wireQuery: string;
  /** Headers that are signed for the backend (lower-case names), host included. */
  headersToSign: Record<string, string>;
}

const PRESIGN_PARAMS = new Set([
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders',
  'X-Amz-Signature', 'X-Amz-Security-Token',
]);

/** Client headers that must never reach a backend: they belong to the client's own signature. */
export const CLIENT_AUTH_HEADERS = ['authorization', 'x-amz-security-token'];


function decodeParam(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
  }
}

function planQuery(rawQuery: string, presigned: boolean): { query: Record<string, string | string[]>; wireQuery: string } {
  const query: Record<string, string | string[]> = {};
  const wire: string[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeParam(eq < 0 ? part : part.slice(0, eq));
    if (presigned && PRESIGN_PARAMS.has(name)) continue;
    const value = eq < 0 ? '' : decodeParam(part.slice(eq + 1));
    const prev = query[name];
    query[name] = prev === undefined ? value : ([] as string[]).concat(prev, value);
    // A bare flag (?uploads) stays bare on the wire; SigV4 canonicalizes it as `uploads=` either way.
    wire.push(eq < 0 ? uriEncode(name, true) : `${uriEncode(name, true)}=${uriEncode(value, true)}`);
  }
  return { query, wireQuery: wire.join('&') };
}

export function planBackendRequest(
  d: RouteDecision,
  backend: BackendConfig,
  headers: Record<string, string>,
  rawQuery: string,
): BackendRequestPlan {
  const authority = backendAuthority(backend, d.realBucket);
  const keyPath = d.encodedKey === '' ? '' : `/${d.encodedKey}`;
  const path = backend.addressing === 'virtual' ? keyPath || '/' : `/${d.realBucket}${keyPath}`;
  const headersToSign: Record<string, string> = { host: authority };
  for (const [name, value] of Object.entries(headers)) {
    if ((name.startsWith('x-amz-') || name === 'content-md5') && !CLIENT_AUTH_HEADERS.includes(name) && name !== 'x-amz-date') {
      headersToSign[name] = value;
    }
  }
  if (d.copySource !== undefined) headersToSign['x-amz-copy-source'] = d.copySource;
  // Presigned and anonymous requests carry no payload hash: the backend is told not to expect one.
  headersToSign['x-amz-content-sha256'] ??= 'UNSIGNED-PAYLOAD';
  return { authority, path, ...planQuery(rawQuery, d.presigned), headersToSign };
}

/**
 * The plan of a request already turned into the backend's (as ext_proc sees it after ext_authz): its
 * path, authority, and the headers ext_authz signed (SignedHeaders of its Authorization) with `set`
 * replacing or adding and `drop` removed — for a stage that changes the body and must sign again.
 */
export function forwardedPlan(headers: Readonly<Record<string, string>>, set: Readonly<Record<string, string>>, drop: readonly string[]): BackendRequestPlan {
  const target = headers[':path'] ?? '/';
  const q = target.indexOf('?');
  const headersToSign: Record<string, string> = {};
  for (const name of parseAuthorizationHeader(headers['authorization'] ?? '').signedHeaders) {
    if (name === 'x-amz-date' || drop.includes(name)) continue;
    headersToSign[name] = name === 'host' ? headers[':authority'] ?? '' : headers[name] ?? '';
  }
  Object.assign(headersToSign, set);
  return { authority: headers[':authority'] ?? '', path: q < 0 ? target : target.slice(0, q), query: {}, wireQuery: q < 0 ? '' : target.slice(q + 1), headersToSign };
}

/** The client's request turned into the backend's: headers to overwrite (pseudo-headers included) and to drop. */
export interface UpstreamHeaders {
  set: Array<[name: string, value: string]>;
  remove: string[];
}

/** Where the request goes: the backend's path (with the exact query that was signed) and authority. */
export function targetHeaders(plan: BackendRequestPlan): Array<[string, string]> {
  return [
    [':path', plan.wireQuery ? `${plan.path}?${plan.wireQuery}` : plan.path],
    [':authority', plan.authority],
  ];
}
