// The world every client suite runs in: the two backends, a plain-HTTP gateway and a TLS gateway (both
// with listen.domain = TEST_DOMAIN, so path and virtual-host style work on each), and per run a target:
// where the client connects, what it must trust, how it resolves virtual-host names, and — for captured
// runs — a recorder between client and gateway.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, after } from 'node:test';
import type { Backend } from '../../../testkit/backends.ts';
import type { RunningGateway } from '../../../testkit/gateway.ts';
import { dumpLogsOnFailure, trackTempDir } from '../../../testkit/process.ts';
import { backendLogs, startWorld, TEST_DOMAIN, USERS, type BackendName, type World } from '../../../testkit/world.ts';
import { BACKEND_CAPS, runPrefix, type Capabilities } from '../../../testkit/target.ts';
import { startRecorder, type Recorder } from './recorder.ts';

export type Transport = 'http' | 'https';
export type Style = 'path' | 'virtual';
export type { BackendName };

/** One combination a client is run in. `capture`: through the recorder, whose findings are asserted. */
export interface RunSpec {
  transport: Transport;
  style: Style;
  backend: BackendName;
  capture: boolean;
}

/** The bucket used on each backend (same real name behind the gateway, no alias). */
export const BUCKET_ON: Record<BackendName, string> = { versity: 'releases', weed: 'media', minio: 'lake' };
/** A bucket alice may create and delete (not configured: it lands on the default backend, versitygw). */
export const SCRATCH_BUCKET = 'scratch-alice';

/** What each backend lacks (backends.test.ts), less what the gateway makes up for (encoding-type=url). */
export const CAPS: Record<BackendName, Partial<Capabilities>> = {
  versity: { ...BACKEND_CAPS.versitygw, listEncodingTypeUrl: true },
  weed: BACKEND_CAPS.seaweedfs,
  minio: BACKEND_CAPS.minio,
};

export function runLabel(s: RunSpec): string {
  return `${s.transport} · ${s.style} · ${BUCKET_ON[s.backend]} (${s.backend})${s.capture ? ' · captured' : ''}`;
}

export interface ClientTarget {
  spec: RunSpec;
  label: string;
  /** The URL the client is given: scheme://127.0.0.1:PORT (path style) or scheme://TEST_DOMAIN:PORT (virtual). */
  endpoint: string;
  /** The host part of `endpoint` and the port the client connects to (the recorder's, if captured). */
  host: string;
  port: number;
  domain: string;
  bucket: string;
  backend: Backend;
  /** The default backend (versitygw), where SCRATCH_BUCKET lands. */
  defaultBackend: Backend;
  /** The test CA (https only): the client's only trust anchor for this run. */
  caFile?: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  caps: Partial<Capabilities>;
  /** A unique key prefix for this run, ending in "/". */
  prefix: string;
  /** A scratch directory for this run's local files (removed after the run). */
  dir: string;
  recorder?: Recorder;
  /** File a Python or Node child appends the virtual-host names it resolved to (see node-lookup.ts). */
  resolveLog: string;
  /** Names under the domain this run resolved so far: the log, plus what in-process code noted. */
  resolvedNames(): string[];
  noteResolved(name: string): void;
  /** Forgets the names resolved so far (what the refusal check resolved must not count for the scenario). */
  resetResolved(): void;
}

export interface ClientWorld {
  world: World;
  gateway(t: Transport): RunningGateway;
  /** A target for `spec`; `close()` it when the run is over (stops its recorder, removes its dir). */
  open(spec: RunSpec, client: string): Promise<ClientTarget & { close(): Promise<void> }>;
}

/** Registers before/after hooks in the current suite that start and stop the client world. */
export function useClientWorld(): () => ClientWorld {
  let cw: ClientWorld | undefined;
  let world: World | undefined;
  before(async () => {
    world = await startWorld({ domain: TEST_DOMAIN });
    const https = await world.addGateway({ domain: TEST_DOMAIN, tls: true });
    cw = makeClientWorld(world, { http: world.gateway, https });
  }, { timeout: 180_000 });
  after(async () => { await world?.stop(); });
  dumpLogsOnFailure(() => [
    ...(world ? [{ name: 'gateway-http', logs: world.gateway.proc.logs }, ...backendLogs(world)] : []),
    ...(cw ? [{ name: 'gateway-https', logs: cw.gateway('https').proc.logs }] : []),
  ]);
  return () => {
    if (!cw) throw new Error('the client world did not start (see the before hook)');
    return cw;
  };
}

function makeClientWorld(world: World, gateways: Record<Transport, RunningGateway>): ClientWorld {
  return {
    world,
    gateway: (t) => gateways[t],
    async open(spec, client) {
      const gw = gateways[spec.transport];
      const tls = spec.transport === 'https' ? world.tls : undefined;
      if (spec.transport === 'https' && !tls) throw new Error('the TLS gateway has no certificate material');
      const recorder = spec.capture
        ? await startRecorder({ upstreamPort: gw.port, ...(tls && { tls }) })
        : undefined;
      const port = recorder?.port ?? gw.port;
      const host = spec.style === 'virtual' ? TEST_DOMAIN : '127.0.0.1';
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-client-'));
      const tmp = trackTempDir(dir);
      const resolveLog = path.join(dir, 'resolved.log');
      const noted = new Set<string>();
      const label = `${client} · ${runLabel(spec)}`;
      return {
        spec,
        label,
        endpoint: `${spec.transport}://${host}:${port}`,
        host,
        port,
        domain: TEST_DOMAIN,
        bucket: BUCKET_ON[spec.backend],
        backend: world[spec.backend],
        defaultBackend: world.versity,
        ...(tls && { caFile: tls.caFile }),
        accessKeyId: USERS.alice.accessKeyId,
        secretAccessKey: USERS.alice.secretAccessKey,
        region: 'us-east-1',
        caps: CAPS[spec.backend],
        prefix: runPrefix(label),
        dir,
        recorder,
        resolveLog,
        resolvedNames() {
          const logged = existsSync(resolveLog) ? readFileSync(resolveLog, 'utf8').split('\n').filter(Boolean) : [];
          return [...new Set([...logged, ...noted])].sort();
        },
        noteResolved: (name) => { noted.add(name); },
        resetResolved() {
          noted.clear();
          rmSync(resolveLog, { force: true });
        },
        async close() {
          await recorder?.stop();
          tmp.remove();
        },
      };
    },
  };
}

/**
 * The usual four runs of a client: each transport once captured (path style) and once straight to the
 * gateway (virtual-host style), each backend once per transport and once per style.
 */
export const STANDARD_RUNS: RunSpec[] = [
  { transport: 'http', style: 'path', backend: 'versity', capture: true },
  { transport: 'http', style: 'virtual', backend: 'weed', capture: false },
  { transport: 'https', style: 'path', backend: 'weed', capture: true },
  { transport: 'https', style: 'virtual', backend: 'versity', capture: false },
  { transport: 'http', style: 'path', backend: 'minio', capture: false },
];
