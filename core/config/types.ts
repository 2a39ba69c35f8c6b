// The config's public types, for the rest of the gateway; each is defined by the section it belongs to.
export type { ConfigProblem } from './problem.ts';
export type { GatewayConfig } from './sections/index.ts';
export type { Credentials } from './sections/shared.ts';
export type { ListenConfig, TlsConfig } from './sections/listen.ts';
export type { Addressing, BackendConfig } from './sections/backends.ts';
export type { BucketConfig } from './sections/buckets.ts';
export type { UserConfig, UserKey } from './sections/users.ts';
export type { GroupConfig } from './sections/groups.ts';
export type { PolicyConfig, RuleConfig } from './sections/policies.ts';
export type { AdmissionMatch, AdmissionRuleConfig } from './sections/admission.ts';
export type { AuditConfig } from './sections/audit.ts';
export type { AccessLogConfig } from './sections/access-log.ts';
export type { EnvoyOptions, ServicesOptions } from './sections/runtime.ts';
