// `audit`: where the audit log goes, one JSON line per decision (absent: no audit log). The model is
// plain data (it crosses to the services workers); each worker opens the sink itself.
import type { Section } from './section.ts';
import { sinkModel, sinkProblems, sinkSchema, type RawSink, type SinkConfig } from './sink.ts';

export interface RawAudit {
  audit?: RawSink;
}

/** The gateway's stdout, or a file appended to (and reopened on SIGHUP, for logrotate). */
export type AuditConfig = SinkConfig;

export const audit: Section<RawAudit, { audit?: AuditConfig }> = {
  properties: { audit: sinkSchema },

  toModel(raw, { baseDir }) {
    return raw.audit === undefined ? {} : { audit: sinkModel(raw.audit, baseDir) };
  },

  check: (raw) => sinkProblems(raw.audit, 'audit'),
};
