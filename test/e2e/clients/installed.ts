// Checks that a client is installed here; a missing one fails its runs with the install command to use.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { toolsDir } from '../../../testkit/backends.ts';
import { runCli } from './cli.ts';
import { clientEnv } from './env.ts';

const INSTALL = 'bash scripts/install-tools.sh --test';

export function ensureFile(file: string, what: string, install = INSTALL): void {
  assert.ok(existsSync(file), `${what} is not installed (${file} is missing): run ${install}`);
}

export function ensureNodePackage(name: string, install: string): void {
  try {
    createRequire(import.meta.url).resolve(name);
  } catch {
    assert.fail(`the npm package ${name} is not installed: run ${install}`);
  }
}

const pythonModules = new Map<string, Promise<boolean>>();

/** The tools venv's Python can import `module`. */
export async function ensurePythonModule(module: string): Promise<void> {
  const python = path.join(toolsDir, 'venv', 'bin', 'python');
  ensureFile(python, 'the tools venv');
  if (!pythonModules.has(module)) {
    pythonModules.set(module, runCli(python, ['-c', `import ${module}`], { env: clientEnv() }).then((r) => r.code === 0));
  }
  assert.ok(await pythonModules.get(module), `Python module ${module} is missing from ${toolsDir}/venv: run ${INSTALL}`);
}
