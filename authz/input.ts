// Envoy's CheckRequest as the request model the decision reads: method, raw path and query exactly
// as received, headers by lower-case name (Envoy sends them so, repeated ones joined by ',').
import type { AuthzRequest } from './upstream.ts';

export interface CheckRequestHttp {
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
}

export function requestFromCheck(http: CheckRequestHttp): AuthzRequest {
  const headers = http.headers ?? {};
  const fullPath = http.path ?? '/';
  const q = fullPath.indexOf('?');
  return {
    method: http.method ?? 'GET',
    rawPath: q < 0 ? fullPath : fullPath.slice(0, q),
    rawQuery: q < 0 ? '' : fullPath.slice(q + 1),
    headers,
    header: (name) => (name === 'host' ? (headers['host'] ?? headers[':authority'] ?? http.host) : headers[name]),
    headerNames: () => Object.keys(headers),
  };
}
