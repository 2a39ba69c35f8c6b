// The load generator: one Node process, forked once per bench run so that it does not share an event
// loop with the samplers in the orchestrator, that signs every request like an S3 client (SigV4 header
// auth, @smithy/signature-v4) and keeps N keep-alive connections busy for a fixed time, timing each
// request with process.hrtime.bigint().
//
// Why not warp (github.com/minio/warp, the usual S3 benchmark): `go install github.com/minio/warp@…`
// is refused by the Go module proxy reachable here (403 "This module version is not available"), so
// it cannot be built; it would also not list a fixed, pre-populated 1,000-key prefix (`warp list`
// uploads its own objects per client).
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { registerExitCleanup } from '../testkit/process.ts';

export interface Endpoint { url: string; accessKey: string; secretKey: string; bucket: string }
export type SmallOp = 'get' | 'put' | 'head' | 'list';

export type Job =
  /** `listKeys`: also the 1,000 keys the listing row reads; `createBucket`: unless the target made it itself. */
  | { kind: 'populate'; endpoint: Endpoint; createBucket: boolean; listKeys: boolean }
  | { kind: 'small'; endpoint: Endpoint; op: SmallOp; concurrency: number; seconds: number }
  | { kind: 'big'; endpoint: Endpoint; method: 'PUT' | 'GET'; bytes: number };

export interface SmallResult {
  requests: number;
  errors: number;
  firstError?: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}
export interface BigResult { mbPerSec: number }
type ResultOf<J extends Job> = J extends { kind: 'small' } ? SmallResult : J extends { kind: 'big' } ? BigResult : void;

const SMALL_SIZE = 4096;
const SMALL_KEYS = 64; // one per connection at the highest concurrency, so GETs spread over objects
const LIST_KEYS = 1000; // one full ListObjectsV2 page
const BIG_KEY = 'big/object';
const EMPTY_SHA256 = createHash('sha256').digest('hex');
const WORKER_FLAG = '--bench-load-worker';

// ---- requests ------------------------------------------------------------------------------------
interface Req {
  method: string;
  key: string;
  query?: Record<string, string>;
  body?: Buffer | Readable;
  length?: number;
  payloadHash: string;
  /** Keep the response body (to check a listing); error bodies are always kept. */
  keepBody?: boolean;
}
interface Reply { status: number; bytes: number; body: string; ms: number }

class Client {
  private readonly signer: SignatureV4;
  private readonly target: URL;
  constructor(private readonly ep: Endpoint) {
    this.target = new URL(ep.url);
    this.signer = new SignatureV4({
      service: 's3', region: 'us-east-1', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false,
      credentials: { accessKeyId: ep.accessKey, secretAccessKey: ep.secretKey },
    });
  }

  async send(r: Req, agent: http.Agent): Promise<Reply> {
    const path = r.key ? `/${this.ep.bucket}/${r.key}` : `/${this.ep.bucket}`;
    const headers: Record<string, string> = { host: this.target.host, 'x-amz-content-sha256': r.payloadHash };
    if (r.length !== undefined) headers['content-length'] = String(r.length);
    const signed = await this.signer.sign({
      method: r.method, protocol: 'http:', hostname: this.target.hostname, path, query: r.query ?? {}, headers,
    });
    const qs = r.query ? `?${new URLSearchParams(r.query)}` : '';
    // The clock starts after signing: latency is what the server side takes, not our own CPU.
    const t0 = process.hrtime.bigint();
    const ms = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
    return new Promise((resolve) => {
      const req = http.request(
        { agent, host: this.target.hostname, port: this.target.port, method: r.method, path: path + qs, headers: signed.headers },
        (res) => {
          const status = res.statusCode ?? 0;
          const keep = r.keepBody || status >= 300;
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (c: Buffer) => { bytes += c.length; if (keep) chunks.push(c); });
          res.on('end', () => resolve({ status, bytes, body: Buffer.concat(chunks).toString(), ms: ms() }));
          res.on('error', (e) => resolve({ status: 0, bytes, body: e.message, ms: ms() }));
        },
      );
      req.on('error', (e) => resolve({ status: 0, bytes: 0, body: e.message, ms: ms() }));
      if (r.body instanceof Readable) r.body.pipe(req);
      else req.end(r.body);
    });
  }
}

const smallBody = randomBytes(SMALL_SIZE);
const smallBodySha256 = createHash('sha256').update(smallBody).digest('hex');
const smallKey = (i: number): string => `small/${String(i % SMALL_KEYS).padStart(3, '0')}`;

function smallRequest(op: SmallOp, worker: number): Req {
  switch (op) {
    case 'get': return { method: 'GET', key: smallKey(worker), payloadHash: EMPTY_SHA256 };
    case 'head': return { method: 'HEAD', key: smallKey(worker), payloadHash: EMPTY_SHA256 };
    case 'put': return { method: 'PUT', key: `put/${worker}`, body: smallBody, length: SMALL_SIZE, payloadHash: smallBodySha256 };
    case 'list': return { method: 'GET', key: '', query: { 'list-type': '2', prefix: 'list/', 'max-keys': String(LIST_KEYS) }, payloadHash: EMPTY_SHA256 };
  }
}

/** A Content-Length body of `bytes` made of one random 1 MiB block repeated: never held in memory whole. */
function generatedBody(bytes: number): Readable {
  const block = randomBytes(1 << 20);
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) { this.push(null); return; }
      const n = Math.min(left, block.length);
      left -= n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
}

// ---- jobs (run in the load process) ---------------------------------------------------------------
const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

async function runSmall(client: Client, op: SmallOp, concurrency: number, seconds: number): Promise<SmallResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const fail = (why: string): void => { errors++; firstError ??= why; };
  // The listing is checked once per run: the prefix must come back whole, in one page.
  let listChecked = op !== 'list';
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (i: number): Promise<void> => {
    while (performance.now() < deadline) {
      const req = smallRequest(op, i);
      if (!listChecked) { listChecked = true; req.keepBody = true; }
      const reply = await client.send(req, agent);
      latencies.push(reply.ms);
      if (reply.status < 200 || reply.status >= 300) fail(`${req.method} ${req.key}: ${reply.status} ${reply.body.slice(0, 300)}`);
      else if (req.keepBody && !reply.body.includes(`<KeyCount>${LIST_KEYS}</KeyCount>`)) fail(`listing is not one page of ${LIST_KEYS} keys`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, errors, firstError, reqPerSec: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99),
  };
}

async function runBig(client: Client, method: 'PUT' | 'GET', bytes: number): Promise<BigResult> {
  const agent = new http.Agent({ keepAlive: false });
  const req: Req = method === 'PUT'
    ? { method, key: BIG_KEY, body: generatedBody(bytes), length: bytes, payloadHash: 'UNSIGNED-PAYLOAD' }
    : { method, key: BIG_KEY, payloadHash: EMPTY_SHA256 };
  const reply = await client.send(req, agent);
  agent.destroy();
  if (reply.status !== 200) throw new Error(`${method} ${BIG_KEY}: ${reply.status} ${reply.body.slice(0, 300)}`);
  if (method === 'GET' && reply.bytes !== bytes) throw new Error(`GET ${BIG_KEY}: ${reply.bytes} bytes, expected ${bytes}`);
  return { mbPerSec: bytes / 1e6 / (reply.ms / 1000) };
}

/** The bucket, and the objects the small rows read: SMALL_KEYS of 4 KiB, LIST_KEYS empty ones under list/. */
async function populate(client: Client, createBucket: boolean, listKeys: boolean): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const bucket = createBucket ? await client.send({ method: 'PUT', key: '', payloadHash: EMPTY_SHA256 }, agent) : undefined;
  if (bucket && bucket.status !== 200) throw new Error(`create bucket: ${bucket.status} ${bucket.body.slice(0, 300)}`);
  const reqs: Req[] = [
    ...Array.from({ length: SMALL_KEYS }, (_, i) => ({ method: 'PUT', key: smallKey(i), body: smallBody, length: SMALL_SIZE, payloadHash: smallBodySha256 })),
    ...Array.from({ length: listKeys ? LIST_KEYS : 0 }, (_, i) => ({ method: 'PUT', key: `list/${String(i).padStart(4, '0')}`, body: Buffer.alloc(0), length: 0, payloadHash: EMPTY_SHA256 })),
  ];
  const next = async (): Promise<void> => {
    for (let r = reqs.pop(); r; r = reqs.pop()) {
      const reply = await client.send(r, agent);
      if (reply.status !== 200) throw new Error(`populate ${r.key}: ${reply.status} ${reply.body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, next));
  agent.destroy();
}

async function runJob(job: Job): Promise<SmallResult | BigResult | void> {
  const client = new Client(job.endpoint);
  switch (job.kind) {
    case 'populate': return populate(client, job.createBucket, job.listKeys);
    case 'small': return runSmall(client, job.op, job.concurrency, job.seconds);
    case 'big': return runBig(client, job.method, job.bytes);
  }
}

if (process.argv.includes(WORKER_FLAG)) {
  process.on('message', (job: Job) => {
    runJob(job).then(
      (result) => process.send!({ result }),
      (err: Error) => process.send!({ error: err.stack ?? String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

// ---- the orchestrator's handle -------------------------------------------------------------------
export interface LoadProcess {
  pid: number;
  run<J extends Job>(job: J): Promise<ResultOf<J>>;
  stop(): Promise<void>;
}

/** Forks the load process (this file, with the orchestrator's tsx loader); SIGKILLed at exit at the latest. */
export function startLoadProcess(): LoadProcess {
  const child = fork(fileURLToPath(import.meta.url), [WORKER_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const unregister = registerExitCleanup(() => child.kill('SIGKILL'));
  void exited.then(unregister);
  return {
    pid: child.pid ?? -1,
    run<J extends Job>(job: J): Promise<ResultOf<J>> {
      return new Promise((resolve, reject) => {
        const onExit = (): void => reject(new Error('the load generator exited'));
        child.once('exit', onExit);
        child.once('message', (m: { result?: ResultOf<J>; error?: string }) => {
          child.off('exit', onExit);
          if (m.error) reject(new Error(`load generator: ${m.error}`));
          else resolve(m.result as ResultOf<J>);
        });
        child.send(job);
      });
    },
    async stop() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
