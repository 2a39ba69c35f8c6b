// `listen`: where and how clients reach the gateway (address, port, TLS, virtual-host domain, region).
import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { Section } from './section.ts';
import { DEFAULT_REGION } from './shared.ts';

export interface RawListen {
  listen?: {
    address?: string;
    port?: number;
    tls?: { cert_file: string; key_file: string };
    domain?: string;
    region?: string;
    xff_num_trusted_hops?: number;
    limits?: RawLimits;
  };
}

interface RawLimits {
  max_connections?: number;
  max_request_headers_kb?: number;
  max_headers?: number;
  request_headers_timeout?: number;
  idle_timeout?: number;
  max_concurrent_streams?: number;
}

/** What a public endpoint must bound (Envoy enforces each; README "Limits"). */
export interface ListenLimits {
  /** Open client connections at once, over all of Envoy's workers; more are refused at accept. */
  maxConnections: number;
  /** Size of a request's header block, URL included; larger is 400 RequestHeaderSectionTooLarge. */
  maxRequestHeadersKb: number;
  /** Number of request headers; more is 400 RequestHeaderSectionTooLarge too. */
  maxHeaders: number;
  /** Seconds a client may take to send its whole header block (a slowloris client is cut off). */
  requestHeadersTimeout: number;
  /** Seconds a connection with no request in flight stays open. */
  idleTimeout: number;
  /** Concurrent requests on one HTTP/2 connection. */
  maxConcurrentStreams: number;
}

/**
 * S3 itself caps a request's headers at 8 KiB; 32 KiB leaves room for long presigned URLs. Envoy's own
 * defaults are no connection limit, no header timeout, 60 KiB, 1 h idle and unbounded HTTP/2 streams.
 */
export const DEFAULT_LIMITS: ListenLimits = {
  maxConnections: 10_000, maxRequestHeadersKb: 32, maxHeaders: 100, requestHeadersTimeout: 10, idleTimeout: 300, maxConcurrentStreams: 100,
};

export interface TlsConfig {
  certFile: string;
  keyFile: string;
}

export interface ListenConfig {
  address: string;
  port: number;
  tls?: TlsConfig;
  /** Base domain for virtual-host style requests: `bucket.<domain>`. */
  domain?: string;
  /** The region clients must sign for; absent: any region is accepted (the gateway has none of its own). */
  region?: string;
  /**
   * Proxies in front of the gateway whose X-Forwarded-For entries are trusted (Envoy's xff_num_trusted_hops);
   * absent or 0: the client's address is the connection's peer, whatever headers say.
   */
  xffNumTrustedHops?: number;
  /** Always set by the loader; a config built in code may leave it out (then DEFAULT_LIMITS). */
  limits?: ListenLimits;
}

const DEFAULT_ADDRESS = '127.0.0.1';
const DEFAULT_PORT = 9000;

export const listen: Section<RawListen, { listen: ListenConfig }> = {
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      properties: {
        address: { type: 'string', minLength: 1, default: DEFAULT_ADDRESS, description: 'an IP address' },
        port: { $ref: '#/$defs/port', default: DEFAULT_PORT },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert_file', 'key_file'],
          properties: {
            cert_file: { $ref: '#/$defs/filePath' },
            key_file: { $ref: '#/$defs/filePath' },
          },
        },
        domain: {
          type: 'string',
          maxLength: 253,
          pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$',
          description: 'a lowercase DNS name such as s3.example.com (virtual-host requests use <bucket>.<domain>)',
        },
        region: {
          type: 'string',
          pattern: '^[a-z0-9-]{1,64}$',
          description: 'the region clients must sign for, e.g. us-east-1; when unset any region is accepted',
        },
        xff_num_trusted_hops: {
          type: 'integer',
          minimum: 0,
          maximum: 16,
          default: 0,
          description: 'the number of trusted proxies in front of the gateway (0-16), whose X-Forwarded-For entries name the client',
        },
        limits: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_connections: { type: 'integer', minimum: 1, maximum: 1_000_000, default: DEFAULT_LIMITS.maxConnections, description: 'a whole number of connections from 1 to 1000000' },
            max_request_headers_kb: { type: 'integer', minimum: 8, maximum: 96, default: DEFAULT_LIMITS.maxRequestHeadersKb, description: 'a whole number of KiB from 8 to 96 (the request header block, URL included)' },
            max_headers: { type: 'integer', minimum: 32, maximum: 1000, default: DEFAULT_LIMITS.maxHeaders, description: 'a whole number of headers from 32 to 1000' },
            request_headers_timeout: { type: 'integer', minimum: 1, maximum: 300, default: DEFAULT_LIMITS.requestHeadersTimeout, description: 'a whole number of seconds from 1 to 300' },
            idle_timeout: { type: 'integer', minimum: 1, maximum: 86_400, default: DEFAULT_LIMITS.idleTimeout, description: 'a whole number of seconds from 1 to 86400' },
            max_concurrent_streams: { type: 'integer', minimum: 1, maximum: 10_000, default: DEFAULT_LIMITS.maxConcurrentStreams, description: 'a whole number of streams from 1 to 10000' },
          },
        },
      },
    },
  },

  // TLS paths are made absolute: Envoy runs in another working directory.
  toModel(raw, { baseDir }) {
    const { address, port, tls, domain, region, xff_num_trusted_hops: hops, limits: l = {} } = raw.listen ?? {};
    return {
      listen: {
        address: address ?? DEFAULT_ADDRESS,
        port: port ?? DEFAULT_PORT,
        ...(tls && { tls: { certFile: resolve(baseDir, tls.cert_file), keyFile: resolve(baseDir, tls.key_file) } }),
        ...(domain !== undefined && { domain }),
        ...(region !== undefined && { region }),
        ...(hops !== undefined && hops > 0 && { xffNumTrustedHops: hops }),
        limits: {
          maxConnections: l.max_connections ?? DEFAULT_LIMITS.maxConnections,
          maxRequestHeadersKb: l.max_request_headers_kb ?? DEFAULT_LIMITS.maxRequestHeadersKb,
          maxHeaders: l.max_headers ?? DEFAULT_LIMITS.maxHeaders,
          requestHeadersTimeout: l.request_headers_timeout ?? DEFAULT_LIMITS.requestHeadersTimeout,
          idleTimeout: l.idle_timeout ?? DEFAULT_LIMITS.idleTimeout,
          maxConcurrentStreams: l.max_concurrent_streams ?? DEFAULT_LIMITS.maxConcurrentStreams,
        },
      },
    };
  },

  *check(raw, { baseDir }) {
    const address = raw.listen?.address;
    if (address !== undefined && isIP(address) === 0) {
      yield { path: '/listen/address', message: 'must be an IP address (Envoy listens on addresses, not host names)' };
    }
    const tls = raw.listen?.tls;
    if (!tls) return;
    for (const key of ['cert_file', 'key_file'] as const) {
      const problem = unreadableFile(resolve(baseDir, tls[key]));
      if (problem) yield { path: `/listen/tls/${key}`, message: `cannot read file ${tls[key]} (${problem})` };
    }
  },
};

/**
 * The region the gateway presents as every bucket's (x-amz-bucket-region, GetBucketLocation): its own
 * when set, else S3's default, which any client may sign for here. Never a backend's region.
 */
export function shownRegion(listen: ListenConfig): string {
  return listen.region ?? DEFAULT_REGION;
}

/** Why a file the gateway will hand to Envoy cannot be read, or undefined when it can. */
function unreadableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}
