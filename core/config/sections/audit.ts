// `audit`: where the audit log goes, one JSON line per decision (absent: no audit log). The model is
// plain data (it crosses to the services workers); each worker opens the sink itself.
import { sinkSection, type SinkConfig } from './sink.ts';

/** The gateway's stdout, or a file appended to (and reopened on SIGHUP, for logrotate). */
export type AuditConfig = SinkConfig;

export const audit = sinkSection('audit', 'audit');
