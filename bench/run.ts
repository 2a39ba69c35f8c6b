// `npm run bench [-- --quick]`: starts a versitygw, Envoy alone and Bucketgate in front of it, drives
// each with the same signed load, and prints one table (also appended to bench/results/<date>.md);
// then a small table of gRPC stacks (Bucketgate once per BUCKETGATE_GRPC beside Envoy alone, on the
// same backend), and, the same way, a table of Bucketgate on a filesystem backend beside versitygw alone.
// Each row measures its targets back to back, so they share the same moment of a noisy host.
import { startLoadProcess, type LoadProcess, type SmallOp, type SmallResult } from './load.ts';
import { cpuSeconds, sampleRss, type RssPeak } from './measure.ts';
import { decisionCost } from './decision-cost.ts';
import { renderPolicy, type PolicyFigures } from './policy-report.ts';
import { bytesLabel, renderFilesystemHeading, renderGrpcStacks, renderHeader, renderTable, writeResults, type CpuFigures, type Plan, type RateFigures, type Row, type StackRow, type Table } from './report.ts';
import { FS_TARGETS, MAIN_TARGETS, startBench, startFilesystemBench, type Bench, type FsTarget, type MainTarget, type Target, type TargetName } from './targets.ts';

interface SmallRow { label: string; op: SmallOp; concurrency: number }
const SMALL_ROWS: SmallRow[] = [
  { label: '4 KiB GET, c1', op: 'get', concurrency: 1 },
  { label: '4 KiB GET, c64', op: 'get', concurrency: 64 },
  { label: '4 KiB PUT, c1', op: 'put', concurrency: 1 },
  { label: '4 KiB PUT, c64', op: 'put', concurrency: 64 },
  { label: 'HEAD, c64', op: 'head', concurrency: 64 },
  // One client at a time: the target for listings is about latency (rewritten XML ≤ 1.3× Envoy alone).
  { label: 'ListObjectsV2 1,000 keys, c1', op: 'list', concurrency: 1 },
];
// The filesystem table asks only 4 KiB GET and PUT of the backend (issue 6), under load: the c64 rows.
const FS_SMALL_ROWS = SMALL_ROWS.filter((r) => (r.op === 'get' || r.op === 'put') && r.concurrency === 64);
// The gRPC stack table: the two small requests that cost one ext_authz call each and no ext_proc stream.
const GRPC_SMALL_ROWS = SMALL_ROWS.filter((r) => (r.op === 'get' || r.op === 'head') && r.concurrency === 64);
// The policy table's rate row: the request whose cost is most the decision's.
const POLICY_ROW = SMALL_ROWS.find((r) => r.op === 'get' && r.concurrency === 64)!;

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
async function smallLine(load: LoadProcess, target: Target, row: SmallRow, plan: Plan, tally: CpuTally): Promise<RateFigures> {
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

interface BigFigures { put: number; get: number; rss?: RssPeak }

/** PUT then GET of the big object, `plan.runs` times; Bucketgate's Node RSS sampled throughout. */
async function bigLines(load: LoadProcess, target: Target, plan: Plan): Promise<BigFigures> {
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

type Tallies = Map<TargetName, CpuTally>;
const tallyOf = (tallies: Tallies, name: TargetName): CpuTally => {
  if (!tallies.has(name)) tallies.set(name, { node: 0, envoy: 0, load: 0, requests: 0 });
  return tallies.get(name)!;
};

/** One rate row per small row, each measuring every target back to back. */
async function rateRows<T extends TargetName>(load: LoadProcess, targets: Target[], rows: readonly SmallRow[], plan: Plan, tallies: Tallies, prefix = ''): Promise<Array<Row<T>>> {
  const out: Array<Row<T>> = [];
  for (const row of rows) {
    const label = `${prefix}${row.label}`;
    progress(label);
    const lines: Partial<Record<TargetName, RateFigures>> = {};
    for (const t of targets) lines[t.name] = await smallLine(load, t, row, plan, tallyOf(tallies, t.name));
    out.push({ kind: 'rate', label, lines: lines as Record<T, RateFigures> });
  }
  return out;
}

/** The big PUT and GET rows, and each target's figures (the main table also wants Bucketgate's RSS). */
async function transferRows<T extends TargetName>(load: LoadProcess, targets: Target[], plan: Plan, prefix = '') {
  const size = bytesLabel(plan.bigBytes);
  progress(`${prefix}${size} PUT and GET`);
  const big: Partial<Record<TargetName, BigFigures>> = {};
  for (const t of targets) big[t.name] = await bigLines(load, t, plan);
  const mbPerSec = (dir: 'put' | 'get') => Object.fromEntries(targets.map((t) => [t.name, big[t.name]![dir]])) as Record<T, number>;
  const rows: Array<Row<T>> = [
    { kind: 'transfer', label: `${prefix}${size} PUT`, mbPerSec: mbPerSec('put') },
    { kind: 'transfer', label: `${prefix}${size} GET`, mbPerSec: mbPerSec('get') },
  ];
  return { rows, big };
}

async function measureMain(load: LoadProcess, targets: Target[], plan: Plan, tallies: Tallies): Promise<Table<MainTarget>> {
  const rows = await rateRows<MainTarget>(load, targets, SMALL_ROWS, plan, tallies);
  const per10k = (name: TargetName): CpuFigures => {
    const t = tallyOf(tallies, name);
    return { node: (t.node / t.requests) * 1e4, envoy: (t.envoy / t.requests) * 1e4 };
  };
  const { rows: transfers, big } = await transferRows<MainTarget>(load, targets, plan);
  rows.push(
    ...transfers,
    { kind: 'rss', label: `Node RSS during the ${bytesLabel(plan.bigBytes)} transfers`, bucketgate: big.Bucketgate!.rss! },
    { kind: 'cpu', label: 'CPU s per 10,000 small requests', envoyAlone: per10k('Envoy alone'), bucketgate: per10k('Bucketgate') },
  );
  return { targets: MAIN_TARGETS, of: 'Bucketgate', over: 'Envoy alone', rows };
}

/** The gRPC stack rows: Envoy alone, then each stack, back to back per row; CPU per request for each line. */
async function measureGrpcStacks(load: LoadProcess, bench: Bench, plan: Plan, tallies: Tallies): Promise<StackRow[]> {
  progress('starting Bucketgate once per gRPC stack (grpc-js, http2, connect)');
  const stacks = await bench.startGrpcStacks!();
  try {
    const targets = [bench.targets.find((t) => t.name === 'Envoy alone')!, ...stacks.targets];
    const rows: StackRow[] = [];
    for (const row of GRPC_SMALL_ROWS) {
      progress(`${row.label} (gRPC stacks)`);
      const lines: StackRow['lines'] = [];
      for (const t of targets) {
        const tally: CpuTally = { node: 0, envoy: 0, load: 0, requests: 0 };
        const rate = await smallLine(load, t, row, plan, tally);
        // Counted in the run's totals too (the header's load-generator CPU); the main table's CPU row is already made.
        const all = tallyOf(tallies, t.name);
        for (const k of ['node', 'envoy', 'load', 'requests'] as const) all[k] += tally[k];
        lines.push({ target: t.name, rate, nodeUsPerReq: (tally.node / tally.requests) * 1e6, envoyUsPerReq: (tally.envoy / tally.requests) * 1e6 });
      }
      rows.push({ label: row.label, lines });
    }
    return rows;
  } finally {
    await stacks.stop();
  }
}

/**
 * The policy table: one decision's cost in this process under the interim grant and the policy set, then
 * the 4 KiB GET row on Bucketgate and on a second Bucketgate with the policy set, back to back.
 */
async function measurePolicy(load: LoadProcess, bench: Bench, plan: Plan, tallies: Tallies): Promise<PolicyFigures> {
  progress('one decision in this process: the interim grant, then the policy set');
  const seconds = plan.quick ? 0.5 : 2;
  const cost = { interim: await decisionCost('interim grant', seconds, plan.runs), policySet: await decisionCost('policy set', seconds, plan.runs) };
  progress('starting Bucketgate with the policy set');
  const withPolicy = await bench.startPolicyTarget!();
  try {
    const interim = bench.targets.find((t) => t.name === 'Bucketgate')!;
    progress(`${POLICY_ROW.label} (interim grant, then the policy set)`);
    const rate = {
      interim: await smallLine(load, interim, POLICY_ROW, plan, tallyOf(tallies, interim.name)),
      policySet: await smallLine(load, withPolicy, POLICY_ROW, plan, tallyOf(tallies, withPolicy.name)),
    };
    return { cost, rate, rowLabel: POLICY_ROW.label };
  } finally {
    await withPolicy.stop();
  }
}

async function measureFilesystem(load: LoadProcess, targets: Target[], plan: Plan, tallies: Tallies): Promise<Table<FsTarget>> {
  const rows = await rateRows<FsTarget>(load, targets, FS_SMALL_ROWS, plan, tallies, 'filesystem ');
  rows.push(...(await transferRows<FsTarget>(load, targets, plan, 'filesystem ')).rows);
  return { targets: FS_TARGETS, of: 'Bucketgate (filesystem)', over: 'versitygw alone (filesystem)', rows };
}

/** Starts a bench, writes the objects its GET rows read through each target's own endpoint, measures, stops it. */
async function withBench<R>(starting: Promise<Bench>, load: LoadProcess, listKeys: boolean, use: (bench: Bench) => Promise<R>): Promise<R> {
  const bench = await starting;
  try {
    for (const t of bench.stores) await load.run({ kind: 'populate', endpoint: t.endpoint, createBucket: !t.bucketExists, listKeys });
    return await use(bench);
  } finally {
    await bench.stop();
  }
}

async function main(): Promise<void> {
  const plan = planFrom(process.argv.slice(2));
  const startedAt = new Date();
  const load = startLoadProcess();
  const tallies: Tallies = new Map();
  try {
    progress(`starting the backend, Envoy alone and Bucketgate (${plan.quick ? 'quick' : 'normal'} run)`);
    const main = await withBench(startBench(plan.bigBytes), load, true, async (bench) => {
      const table = await measureMain(load, bench.targets, plan, tallies);
      const grpc = await measureGrpcStacks(load, bench, plan, tallies);
      return { dir: bench.backendDir, table, grpc, policy: await measurePolicy(load, bench, plan, tallies) };
    });
    const fsStartedAt = Date.now();
    progress('starting versitygw alone and Bucketgate on a filesystem backend');
    const fs = await withBench(startFilesystemBench(plan.bigBytes), load, false, async (bench) =>
      ({ dir: bench.backendDir, table: await measureFilesystem(load, bench.targets, plan, tallies) }));
    progress(`the filesystem rows took ${Math.round((Date.now() - fsStartedAt) / 1000)} s, start and stop included`);
    const all = [...tallies.values()];
    const loadCpuPer10k = (all.reduce((n, t) => n + t.load, 0) / all.reduce((n, t) => n + t.requests, 0)) * 1e4;
    const runtimeSeconds = (Date.now() - startedAt.getTime()) / 1000;
    const markdown = [
      renderHeader({ plan, backendDir: main.dir, startedAt, runtimeSeconds, loadCpuPer10k }),
      renderTable(main.table),
      renderGrpcStacks(main.grpc),
      renderPolicy(main.policy),
      renderFilesystemHeading(fs.dir),
      renderTable(fs.table),
    ].join('\n\n');
    console.log(markdown);
    progress(`appended to ${writeResults(markdown, plan, startedAt)}`);
  } finally {
    await load.stop();
  }
}

main().catch((err: Error) => {
  console.error(`[bench] failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
