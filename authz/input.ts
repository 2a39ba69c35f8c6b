// Envoy's CheckRequest as the request model the decision reads: method, raw path and query exactly
// as received, headers by lower-case name (Envoy sends them so, repeated ones joined by ','), and the
// client's address from where Envoy put it.
import { isIP } from 'node:net';
import { SOURCE_IP_HEADER } from '../wire/names.ts';
import type { AuthzRequest } from './upstream.ts';

export interface CheckRequestHttp {
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
}

/** The gRPC CheckRequest's attributes the decision reads. */
export interface CheckAttributes {
  request?: { http?: CheckRequestHttp };
  /** The connection's peer (never a header's word). */
  source?: { address?: { socket_address?: { address?: string } } };
}

/**
 * Where the check finds the client's address: `peer`, the gRPC CheckRequest's source (the connection's
 * peer); `edge`, the header the first Lua filter set to Envoy's trusted client address, always
 * overwriting a client's (the HTTP check, and gRPC behind trusted proxies: wire/names.ts sourceIpFromEdge).
 */
export type SourceIpFrom = 'peer' | 'edge';

/** The client's address, or '' when none is known or it is no IP address (no CIDR matches ''). */
export function sourceIpOf(attributes: CheckAttributes, from: SourceIpFrom): string {
  const value = from === 'edge' ? attributes.request?.http?.headers?.[SOURCE_IP_HEADER] : attributes.source?.address?.socket_address?.address;
  return value !== undefined && isIP(value) !== 0 ? value : '';
}

/** `sourceIp`: from sourceIpOf(); '' (unknown) when the caller has none. */
export function requestFromCheck(http: CheckRequestHttp, sourceIp = ''): AuthzRequest {
  const headers = http.headers ?? {};
  const fullPath = http.path ?? '/';
  const q = fullPath.indexOf('?');
  return {
    method: http.method ?? 'GET',
    rawPath: q < 0 ? fullPath : fullPath.slice(0, q),
    rawQuery: q < 0 ? '' : fullPath.slice(q + 1),
    headers,
    sourceIp,
    header: (name) => (name === 'host' ? (headers['host'] ?? headers[':authority'] ?? http.host) : headers[name]),
    headerNames: () => Object.keys(headers),
  };
}
