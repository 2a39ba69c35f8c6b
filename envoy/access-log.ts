// Envoy's access log (config `access_log`): one JSON line per request, written by Envoy. Who and what
// come from ext_authz's metadata (ACCESS_LOG_FIELDS, absent for a refused request); never the path or
// the query, which may carry a presigned signature, and no header that carries credentials.
import type { AccessLogConfig } from '../core/config/types.ts';
import { ACCESS_LOG_FIELDS, AUTHZ_METADATA_NAMESPACE } from '../wire/names.ts';

const fromAuthz = (key: string) => `%DYNAMIC_METADATA(${AUTHZ_METADATA_NAMESPACE}:${key})%`;

/** The line's fields, in order. Numbers stay numbers (Envoy keeps a lone operator's type). */
export const ACCESS_LOG_FORMAT = {
  time: '%START_TIME(%Y-%m-%dT%H:%M:%S.%3fZ)%',
  request_id: '%REQ(X-REQUEST-ID)%',
  client: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%',
  principal: fromAuthz(ACCESS_LOG_FIELDS.principal),
  operation: fromAuthz(ACCESS_LOG_FIELDS.operation),
  bucket: fromAuthz(ACCESS_LOG_FIELDS.bucket),
  method: '%REQ(:METHOD)%',
  status: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  bytes_in: '%BYTES_RECEIVED%',
  bytes_out: '%BYTES_SENT%',
  duration_ms: '%DURATION%',
  upstream_ms: '%COMMON_DURATION(US_TX_BEG:US_RX_END:ms)%',
  backend: '%UPSTREAM_CLUSTER%',
  user_agent: '%REQ(USER-AGENT)%',
};

/** The connection manager's `access_log`: stdout (Envoy's, which the launcher passes through) or a file. */
export function accessLogs(cfg: AccessLogConfig | undefined) {
  if (!cfg) return [];
  const log_format = { json_format: ACCESS_LOG_FORMAT };
  return [
    cfg.sink === 'file'
      ? {
          name: 'envoy.access_loggers.file',
          typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: cfg.path, log_format },
        }
      : {
          name: 'envoy.access_loggers.stdout',
          typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog', log_format },
        },
  ];
}
