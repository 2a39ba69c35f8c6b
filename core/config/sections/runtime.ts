// `envoy` and `services`: how many threads and processes the gateway runs, and Envoy's admin port.
import type { Section } from './section.ts';

export interface RawRuntime {
  envoy?: { admin_port?: number; concurrency?: number; ext_authz?: ExtAuthzTransport; reuse_port?: boolean };
  services?: { workers?: number };
}

/**
 * How Envoy calls ext_authz: `http` (http_service to a node:http endpoint, the default: the cheapest
 * per request, measured in bench/results/) or `grpc` (the Check service, what a gRPC-only mesh
 * provider such as Istio's envoyExtAuthzGrpc speaks). Both run the same decision.
 */
export type ExtAuthzTransport = 'http' | 'grpc';

export interface EnvoyOptions {
  extAuthz: ExtAuthzTransport;
  /** Envoy admin port on 127.0.0.1; 0 lets Envoy pick. */
  adminPort: number;
  /** Envoy worker threads; 0 means one per core. */
  concurrency: number;
  /**
   * SO_REUSEPORT on the listener (one socket per Envoy worker thread). Off unless asked for: with it,
   * another process that asks for it too (a leftover Envoy) silently shares the port.
   */
  reusePort?: boolean;
}

export interface ServicesOptions {
  /**
   * ext_authz + ext_proc worker processes. More use more cores, but each request costs more CPU
   * (measured on 2 cores: 0.77 -> 1.28 ms of Node CPU per GET with 2), so 1 unless cores are spare.
   */
  workers: number;
}

const DEFAULTS = { adminPort: 0, concurrency: 0, extAuthz: 'http', workers: 1 } as const;

export const runtime: Section<RawRuntime, { envoy: EnvoyOptions; services: ServicesOptions }> = {
  properties: {
    envoy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        admin_port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          default: DEFAULTS.adminPort,
          description: 'a TCP port (0-65535; 0 lets Envoy pick)',
        },
        concurrency: {
          type: 'integer',
          minimum: 0,
          maximum: 1024,
          default: DEFAULTS.concurrency,
          description: 'a worker thread count (0-1024; 0 means one per core)',
        },
        ext_authz: {
          type: 'string',
          enum: ['http', 'grpc'],
          default: DEFAULTS.extAuthz,
          description: 'how Envoy calls ext_authz: http or grpc',
        },
        reuse_port: {
          type: 'boolean',
          default: false,
          description: 'SO_REUSEPORT on the listener: true or false',
        },
      },
    },
    services: {
      type: 'object',
      additionalProperties: false,
      properties: {
        workers: {
          type: 'integer',
          minimum: 1,
          maximum: 256,
          default: DEFAULTS.workers,
          description: 'a services worker process count (1-256)',
        },
      },
    },
  },

  toModel(raw) {
    return {
      envoy: {
        adminPort: raw.envoy?.admin_port ?? DEFAULTS.adminPort,
        concurrency: raw.envoy?.concurrency ?? DEFAULTS.concurrency,
        extAuthz: raw.envoy?.ext_authz ?? DEFAULTS.extAuthz,
        ...(raw.envoy?.reuse_port && { reusePort: true }),
      },
      services: { workers: raw.services?.workers ?? DEFAULTS.workers },
    };
  },
};
