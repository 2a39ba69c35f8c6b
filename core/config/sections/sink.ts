// Where a log goes, as the audit and access-log sections both spell it: the gateway's stdout, or a file
// appended to (relative to the config file) and reopened on SIGHUP, for logrotate.
import { resolve } from 'node:path';
import type { ConfigProblem } from '../problem.ts';
import type { Section } from './section.ts';

export interface RawSink {
  sink: 'stdout' | 'file';
  path?: string;
}

export type SinkConfig = { sink: 'stdout' } | { sink: 'file'; path: string };

export const sinkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sink'],
  properties: {
    sink: { enum: ['stdout', 'file'] },
    path: { type: 'string', minLength: 1, description: 'a file path (relative to the config file)' },
  },
} as const;

/** check() has made sure a file sink has its path. */
export function sinkModel(raw: RawSink, baseDir: string): SinkConfig {
  return raw.sink === 'file' ? { sink: 'file', path: resolve(baseDir, raw.path!) } : { sink: 'stdout' };
}

export function* sinkProblems(raw: RawSink | undefined, key: string): Generator<ConfigProblem> {
  if (raw?.sink === 'file' && raw.path === undefined) yield { path: `/${key}`, message: `${key}: sink file needs path` };
  if (raw?.sink === 'stdout' && raw.path !== undefined) yield { path: `/${key}/path`, message: `${key}: path belongs to sink file only` };
}

/** A section that is one sink: `key` in the YAML, `modelKey` in the model, absent when not configured. */
export function sinkSection<K extends string, M extends string>(key: K, modelKey: M): Section<{ [k in K]?: RawSink }, { [m in M]?: SinkConfig }> {
  return {
    properties: { [key]: sinkSchema },
    toModel(raw, { baseDir }) {
      const r = raw[key];
      return (r === undefined ? {} : { [modelKey]: sinkModel(r, baseDir) }) as { [m in M]?: SinkConfig };
    },
    check: (raw) => sinkProblems(raw[key], key),
  };
}
