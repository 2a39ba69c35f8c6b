// A worker's answer to /_/ready (envoy/health-routes.ts routes it here over a Unix socket): ready when
// this worker serves with its config loaded (it answers at all) and every configured backend answers
// HTTP (any status: an anonymous HEAD / is S3's 403). Probes run at most once per PROBE_TTL_MS however many pollers ask, each bounded by a
// timeout, so a probe storm never becomes a connection storm on the backends.
import http from 'node:http';
import https from 'node:https';
import type { BackendConfig } from '../core/config/types.ts';
import { READY_PATH } from '../wire/names.ts';

const PROBE_TIMEOUT_MS = 1000;
const PROBE_TTL_MS = 2000;

export type BackendState = 'reachable' | `unreachable: ${string}`;

/** Any HTTP answer (an anonymous HEAD / is S3's 403 or 200) means the backend serves; no answer means it does not. */
function answers(b: BackendConfig): Promise<BackendState> {
  return new Promise((resolve) => {
    const { scheme, host, port } = b.endpoint;
    const request = scheme === 'https' ? https.request : http.request;
    // Reachability only: no credentials are sent, so the certificate is not what is being checked here
    // (Envoy checks it on every real request, by the request's own name).
    const req = request({ method: 'HEAD', host, port, path: '/', agent: false, timeout: PROBE_TIMEOUT_MS, ...(scheme === 'https' && { rejectUnauthorized: false }) });
    const done = (state: BackendState) => { req.destroy(); resolve(state); };
    req.once('response', (res) => { res.resume(); done('reachable'); });
    req.once('timeout', () => done(`unreachable: no answer within ${PROBE_TIMEOUT_MS} ms`));
    req.once('error', (e: NodeJS.ErrnoException) => done(`unreachable: ${e.code ?? e.message}`));
    req.end();
  });
}

/** Every backend's state, probed together, the result shared for PROBE_TTL_MS. */
export function backendProbe(backends: BackendConfig[], now = () => Date.now()): () => Promise<Record<string, BackendState>> {
  let last: { at: number; states: Promise<Record<string, BackendState>> } | undefined;
  return () => {
    if (!last || now() - last.at >= PROBE_TTL_MS) {
      const states = Promise.all(backends.map(async (b) => [b.name, await answers(b)] as const)).then(Object.fromEntries);
      last = { at: now(), states };
    }
    return last.states;
  };
}

/** The answer: 200 when every backend is reachable, else 503; the body names each backend's state. */
export function readinessAnswer(states: Record<string, BackendState>): { status: number; body: string } {
  const ready = Object.values(states).every((s) => s === 'reachable');
  return { status: ready ? 200 : 503, body: `${JSON.stringify({ status: ready ? 'ready' : 'not ready', backends: states })}\n` };
}

export function startReadyServer(socket: string, probe: () => Promise<Record<string, BackendState>>): Promise<void> {
  const server = http.createServer((req, res) => {
    if (req.url !== READY_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    void probe().then((states) => {
      const { status, body } = readinessAnswer(states);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
}
