// The Host a backend is reached at: its endpoint, the real bucket in front for virtual-host backends,
// the port only when it is not the scheme's default. Used for signing (backends/) and for the
// routes Envoy rewrites by itself (envoy/).
import type { BackendConfig } from './config/types.ts';

export function backendAuthority(b: BackendConfig, realBucket: string | undefined): string {
  const defaultPort = b.endpoint.scheme === 'https' ? 443 : 80;
  // The config keeps IPv6 hosts bare (Envoy wants them so); a Host header needs the brackets.
  const bare = b.addressing === 'virtual' && realBucket ? `${realBucket}.${b.endpoint.host}` : b.endpoint.host;
  const host = bare.includes(':') ? `[${bare}]` : bare;
  return b.endpoint.port === defaultPort ? host : `${host}:${b.endpoint.port}`;
}
