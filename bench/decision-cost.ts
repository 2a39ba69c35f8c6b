// The cost of one ext_authz decision in this process, without Envoy or a socket: the whole authorize()
// (request shape, SigV4 verify, policy, the backend's signature) and the policy's verdict() alone, for
// the bench's signed 4 KiB GET, under the interim grant or the policy set (bench/policy-set.ts).
import { performance } from 'node:perf_hooks';
import type { AccessRequest } from '../access/access-control.ts';
import { authorize } from '../authz/decide.ts';
import { requestFromCheck } from '../authz/input.ts';
import { formatProblems, lintConfigText } from '../core/config/load.ts';
import { serviceDeps } from '../launcher/services.ts';
import { signedRequest } from '../testkit/raw-request.ts';
import { BENCH_USER, BUCKET } from './gateway-target.ts';
import { accessYaml, type AccessSet } from './policy-set.ts';

export interface DecisionCost {
  /** µs per authorize() call: what one ext_authz check costs in Node, transport aside. */
  authorizeUs: number;
  /** µs per AccessControl.verdict() call: the policy's part of it. */
  verdictUs: number;
}

const SECRET_ENV = 'BENCH_USER_SECRET';
/** The bench's clients are on loopback: the address Envoy reports, which the set's CIDR conditions test. */
const CLIENT_IP = '127.0.0.1';

/** µs per call of fn: a warm-up, then `runs` runs of `seconds` each, the median. */
function microseconds(fn: () => unknown, seconds: number, runs: number): number {
  for (let i = 0; i < 5000; i++) fn();
  const perRun: number[] = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const start = performance.now();
    const until = start + seconds * 1000;
    // Batches of 100 keep the clock out of the figure.
    do { for (let i = 0; i < 100; i++) fn(); n += 100; } while (performance.now() < until);
    perRun.push(((performance.now() - start) * 1000) / n);
  }
  return perRun.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export async function decisionCost(set: AccessSet, seconds: number, runs: number): Promise<DecisionCost> {
  const text = `listen: { address: 127.0.0.1, port: 9000 }
backends:
  - { name: bench, type: s3, endpoint: "http://127.0.0.1:1", credentials: { access_key_id: benchbackend, secret_access_key: bench-backend-secret-0123456789 } }
buckets:
  ${BUCKET}: { backend: bench }
${accessYaml(set, BUCKET, { accessKey: BENCH_USER.accessKey, secretEnv: SECRET_ENV })}`;
  const { config, problems } = lintConfigText(text, { baseDir: process.cwd(), env: { [SECRET_ENV]: BENCH_USER.secretKey } });
  if (!config) throw new Error(`the bench's ${set} does not load:\n${formatProblems('bench', problems)}`);
  const deps = serviceDeps(config).authz;
  const key = 'small/000';
  const signed = await signedRequest('http://127.0.0.1:9000', { accessKeyId: BENCH_USER.accessKey, secretAccessKey: BENCH_USER.secretKey }, 'GET', `/${BUCKET}/${key}`);
  // What Envoy's check carries besides the signed headers (the conditions' document copies them).
  const envoyHeaders = { 'user-agent': 'bench', accept: '*/*', 'x-forwarded-proto': 'http', 'x-request-id': '7e1d0a5e-4d2b-4a51-9e2f-2d5b0c9f1a77', 'x-envoy-expected-rq-timeout-ms': '15000', 'content-length': '0' };
  const headers = { ...envoyHeaders, ...Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])) };
  const req = requestFromCheck({ method: 'GET', path: signed.path, headers }, CLIENT_IP);
  const now = new Date();
  const first = authorize(req, { ...deps, now });
  if (!first.ok) throw new Error(`the bench's GET is refused under the ${set}: ${first.error.code} ${first.error.message}`);
  const identity = { principal: 'bench', accessKeyId: BENCH_USER.accessKey, presigned: false };
  const facts: AccessRequest = { operation: 'GetObject', method: 'GET', bucket: BUCKET, key, sourceIp: CLIENT_IP, headers };
  return {
    authorizeUs: microseconds(() => authorize(req, { ...deps, now }), seconds, runs),
    verdictUs: microseconds(() => deps.access.verdict(identity, facts, now), seconds, runs),
  };
}
