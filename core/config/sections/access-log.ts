// `access_log`: Envoy's access log, one JSON line per request (absent: none). Envoy writes it; the
// fields are in envoy/access-log.ts.
import { sinkSection, type SinkConfig } from './sink.ts';

export type AccessLogConfig = SinkConfig;

export const accessLog = sinkSection('access_log', 'accessLog');
