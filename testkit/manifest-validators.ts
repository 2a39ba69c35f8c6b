// The validators the deploy/ files are checked with, offline: kubeconform against the Kubernetes JSON
// schemas that PyPI's kubernetes-validate ships (their `$ref`s rewritten to absolute file URLs, once, into the
// tools cache) and against schemas made from the CRDs of Envoy Gateway and the Gateway API (from the Go
// module cache: install-tools.sh downloads them), helm, istioctl, systemd-analyze.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { toolsDir } from './backends.ts';

const run = promisify(execFile);

export const toolBin = (name: string) => path.join(toolsDir, 'bin', name);

export interface Outcome {
  code: number;
  output: string;
}

/** Runs a command; a non-zero exit is an outcome, not an exception. */
export async function outcome(cmd: string, args: string[], cwd?: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** The Kubernetes schemas (strict: unknown fields refused) of one version, ready for kubeconform. */
export function kubernetesSchemas(version = '1.31.0'): string {
  const dest = path.join(toolsDir, 'schemas', `kubernetes-v${version}-strict`);
  if (existsSync(path.join(dest, '.done'))) return dest;
  const venvLib = path.join(toolsDir, 'venv', 'lib');
  const python = readdirSync(venvLib).find((d) => d.startsWith('python'));
  const src = path.join(venvLib, python ?? 'python3', 'site-packages', 'kubernetes_validate', 'kubernetes-json-schema', `v${version}-local-strict`);
  if (!existsSync(src)) throw new Error(`${src} missing: run bash scripts/install-tools.sh --test (PyPI kubernetes-validate)`);
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(src)) {
    // kubeconform's loader resolves only absolute file URLs.
    writeFileSync(path.join(dest, f), readFileSync(path.join(src, f), 'utf8').replaceAll('"/api/_definitions.json#', `"file://${dest}/_definitions.json#`));
  }
  writeFileSync(path.join(dest, '.done'), '');
  return dest;
}

type Schema = Record<string, any>;

/** Closes every object schema that lists its properties, as kubeconform's strict mode does for built-in kinds. */
function closed(s: Schema): Schema {
  if (Array.isArray(s)) return s.map(closed);
  if (s === null || typeof s !== 'object') return s;
  const out: Schema = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, closed(ps)])) : closed(v)]));
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

async function moduleDir(mod: string): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', mod]);
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}

/** Schemas for the CRDs of Envoy Gateway and the Gateway API, as `{group}/{kind}_{version}.json`. */
export async function crdSchemas(envoyGateway = 'v1.9.1', gatewayApi = 'v1.6.1'): Promise<string> {
  const dest = path.join(toolsDir, 'schemas', `crds-eg-${envoyGateway}-gwapi-${gatewayApi}`);
  if (existsSync(path.join(dest, '.done'))) return dest;
  const dirs = [
    path.join(await moduleDir(`github.com/envoyproxy/gateway@${envoyGateway}`), 'charts', 'gateway-helm', 'charts', 'crds', 'crds', 'generated'),
    path.join(await moduleDir(`sigs.k8s.io/gateway-api@${gatewayApi}`), 'config', 'crd', 'standard'),
  ];
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
        const crd = doc.toJS() as Schema | null;
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        const { group, names } = crd.spec;
        for (const v of crd.spec.versions as Schema[]) {
          if (!v.schema?.openAPIV3Schema) continue;
          mkdirSync(path.join(dest, group), { recursive: true });
          writeFileSync(path.join(dest, group, `${String(names.kind).toLowerCase()}_${v.name}.json`), JSON.stringify(closed(v.schema.openAPIV3Schema)));
        }
      }
    }
  }
  writeFileSync(path.join(dest, '.done'), '');
  return dest;
}

/** kubeconform, strict, every resource must have a schema (none skipped). */
export async function kubeconform(files: string[], extraSchemaDirs: string[] = []): Promise<Outcome> {
  const locations = [
    `${kubernetesSchemas()}/{{.ResourceKind}}{{.KindSuffix}}.json`,
    ...extraSchemaDirs.map((d) => `${d}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`),
  ];
  return outcome(toolBin('kubeconform'), ['-strict', '-summary', '-kubernetes-version', '1.31.0', ...locations.flatMap((l) => ['-schema-location', l]), ...files]);
}
