// `audit`: where the audit log goes, one JSON line per decision (absent: no audit log). The model is
// plain data (it crosses to the services workers); each worker opens the sink itself.
import { resolve } from 'node:path';
import type { Section } from './section.ts';

export interface RawAudit {
  audit?: { sink: 'stdout' | 'file'; path?: string };
}

/** The gateway's stdout, or a file appended to (and reopened on SIGHUP, for logrotate). */
export type AuditConfig = { sink: 'stdout' } | { sink: 'file'; path: string };

export const audit: Section<RawAudit, { audit?: AuditConfig }> = {
  properties: {
    audit: {
      type: 'object',
      additionalProperties: false,
      required: ['sink'],
      properties: {
        sink: { enum: ['stdout', 'file'] },
        path: { type: 'string', minLength: 1, description: 'a file path (relative to the config file)' },
      },
    },
  },

  toModel(raw, { baseDir }) {
    const a = raw.audit;
    if (a === undefined) return {};
    // check() has made sure a file sink has its path.
    return { audit: a.sink === 'file' ? { sink: 'file', path: resolve(baseDir, a.path!) } : { sink: 'stdout' } };
  },

  *check(raw) {
    const a = raw.audit;
    if (a?.sink === 'file' && a.path === undefined) yield { path: '/audit', message: 'audit: sink file needs path' };
    if (a?.sink === 'stdout' && a.path !== undefined) yield { path: '/audit/path', message: 'audit: path belongs to sink file only' };
  },
};
