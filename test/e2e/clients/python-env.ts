// The environment of a Python client (boto3, aws-cli v1 and v2): no ambient AWS profile, CA or proxy, and
// virtual-host names resolved by python/sitecustomize.py (botocore and urllib3 have no resolver option).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientTarget } from './client-world.ts';
import { clientEnv, noAwsProfiles } from './env.ts';
import { RESOLVE_ENV, RESOLVE_LOG_ENV, resolveSpec } from './node-lookup.ts';

/** The folder with sitecustomize.py, put on PYTHONPATH. */
export const PYTHON_HOOKS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python');

export function pythonClientEnv(t: ClientTarget, set: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return clientEnv({
    ...noAwsProfiles(t.dir),
    PYTHONPATH: PYTHON_HOOKS,
    [RESOLVE_ENV]: resolveSpec(t.domain),
    [RESOLVE_LOG_ENV]: t.resolveLog,
    ...set,
  });
}
