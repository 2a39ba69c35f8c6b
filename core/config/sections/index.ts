// The config's sections, in document order: schema properties, model keys and check problems follow it.
// Adding a section is a new file in this folder and one entry here.
import { listen } from './listen.ts';
import { backends } from './backends.ts';
import { buckets } from './buckets.ts';
import { users } from './users.ts';
import { groups } from './groups.ts';
import { policies } from './policies.ts';
import { admission } from './admission.ts';
import { audit } from './audit.ts';
import { accessLog } from './access-log.ts';
import { runtime } from './runtime.ts';

export const SECTIONS = [listen, backends, buckets, users, groups, policies, admission, audit, accessLog, runtime] as const;

type Each = (typeof SECTIONS)[number];
/** `A | B` to `A & B`: every section's part together makes the whole. */
type All<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer I) => void ? I : never;

/** The config as the schema accepts it, after `${...}` references are resolved. */
export type RawConfig = All<Parameters<Each['toModel']>[0]>;

/**
 * The gateway's runtime model of the one YAML config. The YAML is snake_case (the user's interface);
 * this model is camelCase and fully resolved: ${env:}/${file:} references replaced, defaults applied.
 */
export interface GatewayConfig extends All<ReturnType<Each['toModel']>> {}
