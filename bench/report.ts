// Markdown tables, a line per target in each row, with the ratio that survives a noisy host: the main
// table's Bucketgate ÷ Envoy alone, the filesystem table's Bucketgate ÷ versitygw alone on the same
// storage. The header describes the machine and the run.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateEnvoy, toolsDir } from '../launcher/tools.ts';
import type { RssPeak } from './measure.ts';
import type { TargetName } from './targets.ts';

export interface Plan {
  quick: boolean;
  warmupSeconds: number;
  runSeconds: number;
  runs: number;
  bigBytes: number;
}

export interface RateFigures { reqPerSec: number; p50Ms: number; p99Ms: number; errors: number }
export interface CpuFigures { node: number; envoy: number }

export type Row<T extends TargetName> =
  | { kind: 'rate'; label: string; lines: Record<T, RateFigures> }
  | { kind: 'transfer'; label: string; mbPerSec: Record<T, number> }
  | { kind: 'rss'; label: string; bucketgate: RssPeak }
  /** CPU seconds per 10,000 requests. */
  | { kind: 'cpu'; label: string; envoyAlone: CpuFigures; bucketgate: CpuFigures };

/** One table: a line per target in each row, and a ratio column `of` ÷ `over` on `of`'s line. */
export interface Table<T extends TargetName> {
  targets: readonly T[];
  of: T;
  over: T;
  rows: Array<Row<T>>;
}

interface Line { result: string; p50?: string; p99?: string; ratio?: string }

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(2);
const times = (n: number): string => `${n.toFixed(2)}×`;
const mib = (n: number): string => `${n.toFixed(1)} MiB`;
export const bytesLabel = (b: number): string => (b >= 1 << 30 ? `${b / (1 << 30)} GiB` : `${b / (1 << 20)} MiB`);

/** Each target's line, the ratio on `of`'s; the rss and cpu rows only exist in the main table. */
function lines<T extends TargetName>(row: Row<T>, { targets, of, over }: Table<T>): Partial<Record<TargetName, Line>> {
  const each = (line: (t: T) => Line): Partial<Record<TargetName, Line>> => Object.fromEntries(targets.map((t) => [t, line(t)]));
  switch (row.kind) {
    case 'rate': {
      const out = each((t) => {
        const f = row.lines[t];
        return { result: `${int(f.reqPerSec)} req/s${f.errors ? ` ⚠ ${f.errors} errors` : ''}`, p50: ms(f.p50Ms), p99: ms(f.p99Ms) };
      });
      const [a, b] = [row.lines[of], row.lines[over]];
      const added = a.p99Ms - b.p99Ms;
      out[of] = { ...out[of]!, ratio: `${times(a.reqPerSec / b.reqPerSec)} req/s; p50 ${times(a.p50Ms / b.p50Ms)}; p99 ${added >= 0 ? '+' : '−'}${ms(Math.abs(added))} ms` };
      return out;
    }
    case 'transfer': {
      const out = each((t) => ({ result: `${int(row.mbPerSec[t])} MB/s` }));
      out[of] = { ...out[of]!, ratio: times(row.mbPerSec[of] / row.mbPerSec[over]) };
      return out;
    }
    case 'rss': {
      const { baselineMiB, peakMiB } = row.bucketgate;
      return {
        'backend direct': { result: '— (no Node)' },
        'Envoy alone': { result: '— (no Node)' },
        Bucketgate: { result: `peak ${mib(peakMiB)}, +${mib(peakMiB - baselineMiB)} over ${mib(baselineMiB)} before` },
      };
    }
    case 'cpu': {
      const { envoyAlone: ea, bucketgate: bg } = row;
      return {
        'backend direct': { result: '— (neither)' },
        'Envoy alone': { result: `Envoy ${ea.envoy.toFixed(2)} s` },
        Bucketgate: { result: `Node ${bg.node.toFixed(2)} s + Envoy ${bg.envoy.toFixed(2)} s`, ratio: `${times((bg.node + bg.envoy) / ea.envoy)} total` },
      };
    }
  }
}

export function renderTable<T extends TargetName>(table: Table<T>): string {
  const out = [`| Row | Target | Result | p50 ms | p99 ms | ${table.of} ÷ ${table.over} |`, '|---|---|---:|---:|---:|---|'];
  for (const row of table.rows) {
    const ls = lines(row, table);
    table.targets.forEach((t, i) => {
      const l: Line = ls[t] ?? { result: '—' };
      out.push(`| ${i === 0 ? row.label : ''} | ${t} | ${l.result} | ${l.p50 ?? ''} | ${l.p99 ?? ''} | ${l.ratio ?? ''} |`);
    });
  }
  return out.join('\n');
}

function firstMatch(file: string, re: RegExp): string | undefined {
  try {
    return re.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

function envoyVersion(): string {
  try {
    const out = execFileSync(locateEnvoy() ?? 'envoy', ['--version'], { encoding: 'utf8' });
    return /\/(\d+\.\d+\.\d+)\//.exec(out)?.[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
}

export interface RunInfo {
  plan: Plan;
  backendDir: string;
  startedAt: Date;
  runtimeSeconds: number;
  /** The load generator's own CPU seconds per 10,000 small requests: its share of the cores. */
  loadCpuPer10k: number;
}

export function renderHeader({ plan, backendDir, startedAt, runtimeSeconds, loadCpuPer10k }: RunInfo): string {
  const model = firstMatch('/proc/cpuinfo', /^model name\s*:(.*)$/m) ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const memGiB = os.totalmem() / (1 << 30);
  const versitygw = firstMatch(path.join(toolsDir(), 'bin', '.versitygw-version'), /(.+)/) ?? 'unknown version';
  const small = `${plan.warmupSeconds} s warm-up, then ${plan.runs} run(s) × ${plan.runSeconds} s per target, median of runs`;
  return [
    `## ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — ${plan.quick ? 'quick' : 'normal'} run (${Math.round(runtimeSeconds)} s)`,
    '',
    `- Machine: ${os.availableParallelism()} × ${model}, ${memGiB.toFixed(1)} GiB RAM, Linux ${os.release()}`,
    `- Software: Node ${process.version}, Envoy ${envoyVersion()} (default concurrency: one worker per core, both Envoys), ` +
      `versitygw ${versitygw} (posix, --keep-alive) on ${backendDir}`,
    '- Load generator: bench/load.ts in one separate Node process, SigV4 header auth (@smithy/signature-v4, hex SHA-256 ' +
      'for 4 KiB PUTs, UNSIGNED-PAYLOAD for the big PUT), one keep-alive connection per concurrent request. It shares the ' +
      `same cores with what it measures (it used ${loadCpuPer10k.toFixed(2)} CPU s per 10,000 small requests), so the ` +
      'fastest targets are under-reported: compare ratios, not absolutes.',
    `- Small rows (cN = N concurrent requests): ${small}. Latency: from handing the signed request to node:http to the response's last byte.`,
    `- Big rows: ${bytesLabel(plan.bigBytes)} streamed (generated, never in memory), ${plan.runs} run(s), median; MB = 10^6 bytes. ` +
      'RSS: VmRSS of the launcher + services worker summed, sampled every 50 ms during the big transfers.',
    '- CPU: utime+stime from /proc/<pid>/stat, summed over every small row\'s measured runs, per 10,000 requests.',
  ].join('\n');
}

/** The filesystem table's heading: what its two targets are and where both keep their objects. */
export function renderFilesystemHeading(dir: string): string {
  return [
    '### Filesystem backend',
    '',
    'Bucketgate on `backends: [ { name: local, type: filesystem, path: … } ]` (it runs its own managed versitygw) beside a ' +
      `standalone versitygw, both posix with --keep-alive on ${dir}; each target's GET objects were written through its own ` +
      'endpoint, in this run, after the main table\'s targets had stopped. Target: ≥ 0.95× versitygw alone on the big rows.',
  ].join('\n');
}

/** Appends to bench/results/<date>.md (quick runs: <date>-quick.md), so earlier figures of the day stay. */
export function writeResults(markdown: string, plan: Plan, startedAt: Date): string {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().slice(0, 10)}${plan.quick ? '-quick' : ''}.md`);
  const title = existsSync(file) ? '' : `# Benchmark results, ${startedAt.toISOString().slice(0, 10)}\n\n`;
  appendFileSync(file, `${title}${markdown}\n\n`);
  return file;
}

/** One line of the gRPC stack table: a target's req/s and its Node and Envoy CPU per request in one row. */
export interface StackLine { target: TargetName; rate: RateFigures; nodeUsPerReq: number; envoyUsPerReq: number }
export interface StackRow { label: string; lines: StackLine[] }

/**
 * The gRPC stack table: per row, Envoy alone and then `bucketgate start` on each gRPC stack, measured back
 * to back; each stack's req/s and CPU (Node + Envoy) ÷ Envoy alone's (its first line) in the same row.
 */
export function renderGrpcStacks(rows: StackRow[]): string {
  const us = (n: number): string => (n ? `${Math.round(n)}` : '—');
  const out = [
    '### gRPC stack: 4 KiB GET and HEAD at c64',
    '',
    '`bucketgate start` once per `BUCKETGATE_GRPC` (grpc-js; http2, our minimal server on node:http2; connect, ' +
      '@connectrpc/connect-node with protoc-gen-es code), with ext_authz over gRPC (the main table\'s Bucketgate checks over HTTP), in front of the main table\'s versitygw, beside its Envoy alone. ' +
      'CPU: utime+stime of the Node processes (launcher + services worker) and of Envoy over the measured runs, per request.',
    '',
    '| Row | Target | Result | p50 ms | p99 ms | Node CPU µs/req | Envoy CPU µs/req | ÷ Envoy alone |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const base = row.lines[0]!;
    row.lines.forEach((l, i) => {
      const ratio = i === 0 ? '' : `${times(l.rate.reqPerSec / base.rate.reqPerSec)} req/s; ${times((l.nodeUsPerReq + l.envoyUsPerReq) / base.envoyUsPerReq)} CPU`;
      const errors = l.rate.errors ? ` ⚠ ${l.rate.errors} errors` : '';
      out.push(`| ${i === 0 ? row.label : ''} | ${l.target} | ${int(l.rate.reqPerSec)} req/s${errors} | ${ms(l.rate.p50Ms)} | ${ms(l.rate.p99Ms)} | ${us(l.nodeUsPerReq)} | ${us(l.envoyUsPerReq)} | ${ratio} |`);
    });
  }
  return out.join('\n');
}
