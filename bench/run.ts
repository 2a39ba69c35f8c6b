// `npm run bench [-- --quick]`: starts a versitygw, Envoy alone and Bucketgate in front of it, drives
// each with the same signed load, and prints one table (also appended to bench/results/<date>.md).
// Each row measures the three targets back to back, so they share the same moment of a noisy host.
import { startLoadProcess, type LoadProcess, type SmallOp, type SmallResult } from './load.ts';
import { cpuSeconds, sampleRss, type RssPeak } from './measure.ts';
import { bytesLabel, renderHeader, renderTable, writeResults, type CpuFigures, type Plan, type RateFigures, type Row } from './report.ts';
import { startBench, type Target, type TargetName } from './targets.ts';

const SMALL_ROWS: Array<{ label: string; op: SmallOp; concurrency: number }> = [
  { label: '4 KiB GET, c1', op: 'get', concurrency: 1 },
  { label: '4 KiB GET, c64', op: 'get', concurrency: 64 },
  { label: '4 KiB PUT, c1', op: 'put', concurrency: 1 },
  { label: '4 KiB PUT, c64', op: 'put', concurrency: 64 },
  { label: 'HEAD, c64', op: 'head', concurrency: 64 },
  // One client at a time: the target for listings is about latency (rewritten XML ≤ 1.3× Envoy alone).
  { label: 'ListObjectsV2 1,000 keys, c1', op: 'list', concurrency: 1 },
];

const USAGE = 'usage: npm run bench [-- --quick]\n  --quick  1 run of 1.5 s per row and target, 256 MiB instead of 1 GiB (for development)';

function planFrom(args: string[]): Plan {
  for (const a of args) {
    if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    if (a !== '--quick') { console.error(`unknown argument ${a}\n${USAGE}`); process.exit(2); }
  }
  return args.includes('--quick')
    ? { quick: true, warmupSeconds: 0.5, runSeconds: 1.5, runs: 1, bigBytes: 256 << 20 }
    : { quick: false, warmupSeconds: 1, runSeconds: 5, runs: 3, bigBytes: 1 << 30 };
}

const progress = (line: string): void => { process.stderr.write(`[bench] ${line}\n`); };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface CpuTally extends CpuFigures { load: number; requests: number }

/** Warm-up, then `plan.runs` measured runs; CPU of the target's Node and Envoy (and the load generator's) added to `tally`. */
async function smallLine(load: LoadProcess, target: Target, row: (typeof SMALL_ROWS)[number], plan: Plan, tally: CpuTally): Promise<RateFigures> {
  const job = { kind: 'small', endpoint: target.endpoint, op: row.op, concurrency: row.concurrency } as const;
  await load.run({ ...job, seconds: plan.warmupSeconds });
  const runs: SmallResult[] = [];
  for (let i = 0; i < plan.runs; i++) {
    const procs = target.processes();
    const node = cpuSeconds(procs.node);
    const envoy = cpuSeconds(procs.envoy);
    const generator = cpuSeconds([load.pid]);
    const r = await load.run({ ...job, seconds: plan.runSeconds });
    tally.load += cpuSeconds([load.pid]) - generator;
    tally.node += cpuSeconds(procs.node) - node;
    tally.envoy += cpuSeconds(procs.envoy) - envoy;
    tally.requests += r.requests;
    if (r.firstError) progress(`  ${target.name}: ${r.errors} errors, first: ${r.firstError}`);
    runs.push(r);
  }
  const figures = {
    reqPerSec: median(runs.map((r) => r.reqPerSec)), p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)), errors: runs.reduce((n, r) => n + r.errors, 0),
  };
  progress(`  ${target.name}: ${Math.round(figures.reqPerSec)} req/s, p50 ${figures.p50Ms.toFixed(2)} ms, p99 ${figures.p99Ms.toFixed(2)} ms`);
  return figures;
}

/** PUT then GET of the big object, `plan.runs` times; Bucketgate's Node RSS sampled throughout. */
async function bigLines(load: LoadProcess, target: Target, plan: Plan): Promise<{ put: number; get: number; rss?: RssPeak }> {
  const transfer = async (method: 'PUT' | 'GET', bytes: number): Promise<number> =>
    (await load.run({ kind: 'big', endpoint: target.endpoint, method, bytes })).mbPerSec;
  // A 1/16 warm-up: enough to open connections and fault in buffers, without doubling the row's time.
  await transfer('PUT', plan.bigBytes / 16);
  await transfer('GET', plan.bigBytes / 16);
  const sampler = target.name === 'Bucketgate' ? sampleRss(target.processes().node) : undefined;
  const put: number[] = [];
  const get: number[] = [];
  for (let i = 0; i < plan.runs; i++) {
    put.push(await transfer('PUT', plan.bigBytes));
    get.push(await transfer('GET', plan.bigBytes));
  }
  const result = { put: median(put), get: median(get), rss: sampler?.stop() };
  progress(`  ${target.name}: PUT ${Math.round(result.put)} MB/s, GET ${Math.round(result.get)} MB/s`);
  return result;
}

async function measure(load: LoadProcess, targets: Target[], plan: Plan): Promise<{ rows: Row[]; loadCpuPer10k: number }> {
  const rows: Row[] = [];
  const tallies = new Map(targets.map((t) => [t.name, { node: 0, envoy: 0, load: 0, requests: 0 }]));
  for (const row of SMALL_ROWS) {
    progress(row.label);
    const lines: Partial<Record<TargetName, RateFigures>> = {};
    for (const t of targets) lines[t.name] = await smallLine(load, t, row, plan, tallies.get(t.name)!);
    rows.push({ kind: 'rate', label: row.label, lines: lines as Record<TargetName, RateFigures> });
  }
  const per10k = (name: TargetName): CpuFigures => {
    const t = tallies.get(name)!;
    return { node: (t.node / t.requests) * 1e4, envoy: (t.envoy / t.requests) * 1e4 };
  };

  const size = bytesLabel(plan.bigBytes);
  progress(`${size} PUT and GET`);
  const big: Partial<Record<TargetName, Awaited<ReturnType<typeof bigLines>>>> = {};
  for (const t of targets) big[t.name] = await bigLines(load, t, plan);
  const mbPerSec = (dir: 'put' | 'get') => Object.fromEntries(targets.map((t) => [t.name, big[t.name]![dir]])) as Record<TargetName, number>;
  rows.push(
    { kind: 'transfer', label: `${size} PUT`, mbPerSec: mbPerSec('put') },
    { kind: 'transfer', label: `${size} GET`, mbPerSec: mbPerSec('get') },
    { kind: 'rss', label: `Node RSS during the ${size} transfers`, bucketgate: big.Bucketgate!.rss! },
    { kind: 'cpu', label: 'CPU s per 10,000 small requests', envoyAlone: per10k('Envoy alone'), bucketgate: per10k('Bucketgate') },
  );
  const all = [...tallies.values()];
  const loadCpuPer10k = (all.reduce((n, t) => n + t.load, 0) / all.reduce((n, t) => n + t.requests, 0)) * 1e4;
  return { rows, loadCpuPer10k };
}

async function main(): Promise<void> {
  const plan = planFrom(process.argv.slice(2));
  const startedAt = new Date();
  progress(`starting the backend, Envoy alone and Bucketgate (${plan.quick ? 'quick' : 'normal'} run)`);
  const bench = await startBench(plan.bigBytes);
  const load = startLoadProcess();
  try {
    // Every target shares the bucket, so the objects are written once, straight to the backend.
    await load.run({ kind: 'populate', endpoint: bench.targets[0]!.endpoint });
    const { rows, loadCpuPer10k } = await measure(load, bench.targets, plan);
    const runtimeSeconds = (Date.now() - startedAt.getTime()) / 1000;
    const markdown = `${renderHeader({ plan, backendDir: bench.backendDir, startedAt, runtimeSeconds, loadCpuPer10k })}\n\n${renderTable(rows)}`;
    console.log(markdown);
    progress(`appended to ${writeResults(markdown, plan, startedAt)}`);
  } finally {
    await load.stop();
    await bench.stop();
  }
}

main().catch((err: Error) => {
  console.error(`[bench] failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
