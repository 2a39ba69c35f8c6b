// `access_log`: Envoy's access log, one JSON line per request (absent: none). Envoy writes it; the
// fields are in envoy/access-log.ts.
import type { Section } from './section.ts';
import { sinkModel, sinkProblems, sinkSchema, type RawSink, type SinkConfig } from './sink.ts';

export interface RawAccessLog {
  access_log?: RawSink;
}

export type AccessLogConfig = SinkConfig;

export const accessLog: Section<RawAccessLog, { accessLog?: AccessLogConfig }> = {
  properties: { access_log: sinkSchema },

  toModel(raw, { baseDir }) {
    return raw.access_log === undefined ? {} : { accessLog: sinkModel(raw.access_log, baseDir) };
  },

  check: (raw) => sinkProblems(raw.access_log, 'access_log'),
};
