// The deploy/ files, checked by their ecosystems' own validators, offline (issue 15): the Helm chart with
// `helm lint --strict` and `helm template` for each values example, every rendered object and the plain
// Kubernetes manifests with kubeconform against the Kubernetes 1.31 schemas, the Istio objects with
// istioctl (validate, analyze without a cluster, the mesh config's fields against Istio's API), the
// Envoy Gateway objects against their CRDs, the systemd unit with systemd-analyze. Each validator is
// also shown a broken file and must refuse it. The configs embedded in them pass `bucketgate config lint`
// but for the secrets they read from files that exist only in a pod.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { httpFilters } from '../../envoy/filters.ts';
import { BIN } from '../../testkit/gateway.ts';
import { crdSchemas, kubeconform, outcome, toolBin } from '../../testkit/manifest-validators.ts';
import { trackTempDir } from '../../testkit/process.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');
const CHART = path.join(DEPLOY, 'helm', 'bucketgate');
const EXAMPLES = readdirSync(path.join(DEPLOY, 'helm', 'examples')).map((f) => path.join(DEPLOY, 'helm', 'examples', f));

type Obj = Record<string, any>;
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((d) => d);
const load = (file: string) => docs(readFileSync(file, 'utf8'));

describe('deploy/: the manifests, by their ecosystems\' validators', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bg-deploy-'));
  const tmp = trackTempDir(dir);
  after(() => tmp.remove());
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  /** `bucketgate config lint` on a config meant for a pod: the only problems allowed are its secret files, absent here. */
  async function assertConfigValid(config: string, label: string) {
    const file = write(`${label}.yaml`, config);
    const r = await outcome(process.execPath, [BIN, 'config', 'lint', file]);
    const problems = r.output.trim().split('\n').filter((l) => l && !/cannot read file \/etc\/bucketgate\/secrets\/[a-z-]+ \(ENOENT\)$/.test(l));
    assert.deepEqual(problems, [], `${label}: ${r.output}`);
    assert.ok(r.output.includes('/etc/bucketgate/secrets/'), `${label}: its secrets should come from files`);
  }

  it('helm lint --strict: the chart with its defaults and with each values example', async () => {
    for (const values of [undefined, ...EXAMPLES]) {
      const r = await outcome(toolBin('helm'), ['lint', '--strict', CHART, ...(values ? ['-f', values] : [])]);
      assert.equal(r.code, 0, `${values ?? 'defaults'}: ${r.output}`);
      assert.match(r.output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('helm template for each example: every object valid for Kubernetes 1.31; non-root, read-only, probed; secrets never in the ConfigMap', async () => {
    for (const values of EXAMPLES) {
      const name = path.basename(values, '.yaml');
      const r = await outcome(toolBin('helm'), ['template', 'bg', CHART, '-f', values, '--namespace', 'bucketgate']);
      assert.equal(r.code, 0, r.output);
      const rendered = write(`${name}.rendered.yaml`, r.output);
      const check = await kubeconform([rendered]);
      assert.equal(check.code, 0, `${name}: ${check.output}`);
      assert.match(check.output, /Valid: [1-9]\d*, Invalid: 0, Errors: 0, Skipped: 0/);

      const objects = docs(r.output);
      const deployment = objects.find((o) => o.kind === 'Deployment')!;
      const pod = deployment.spec.template.spec;
      const c = pod.containers[0];
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) assert.ok(c[probe], `${name}: no ${probe}`);
      const configMap = objects.find((o) => o.kind === 'ConfigMap')!;
      await assertConfigValid(configMap.data['bucketgate.yaml'], `${name}-config`);
      const secret = objects.find((o) => o.kind === 'Secret');
      for (const v of Object.values<string>(secret?.stringData ?? {})) assert.ok(!configMap.data['bucketgate.yaml'].includes(v), `${name}: a secret value is in the ConfigMap`);
      if (name.startsWith('services')) {
        assert.deepEqual(c.args.slice(0, 1).concat(c.args.slice(-2)), ['services', '--listen', '0.0.0.0:7000']);
        assert.equal(objects.find((o) => o.kind === 'Service')!.spec.ports[0].appProtocol, 'grpc');
        assert.equal(secret, undefined, 'an existing Secret is mounted, none made');
        assert.equal(pod.volumes.find((v: Obj) => v.name === 'secrets').secret.secretName, 'bucketgate-credentials');
      } else {
        assert.equal(c.args[0], 'start');
        assert.ok(secret, 'the example gives secrets: the chart makes the Secret');
      }
    }
    const bad = await outcome(toolBin('helm'), ['template', 'bg', CHART, '--set', 'mode=sidecar']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.output, /mode must be gateway or services/);
  });

  it('kubeconform refuses what Kubernetes would: a wrong type, an unknown field', async () => {
    const [deployment] = load(path.join(DEPLOY, 'kubernetes', 'sidecar.yaml')).filter((o) => o.kind === 'Deployment');
    for (const [label, broken] of [
      ['replicas as text', { ...deployment, spec: { ...deployment!.spec, replicas: 'two' } }],
      ['an unknown field', { ...deployment, spec: { ...deployment!.spec, replicaz: 1 } }],
    ] as const) {
      const r = await kubeconform([write(`broken-${label.replaceAll(' ', '-')}.yaml`, stringify(broken))]);
      assert.notEqual(r.code, 0, `${label} passed: ${r.output}`);
      assert.match(r.output, /Invalid: 1/);
    }
  });

  it('the Kubernetes sidecar manifest: valid objects, its config valid', async () => {
    const file = path.join(DEPLOY, 'kubernetes', 'sidecar.yaml');
    const r = await kubeconform([file]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Valid: 2, Invalid: 0, Errors: 0, Skipped: 0/);
    const objects = load(file);
    await assertConfigValid(objects.find((o) => o.kind === 'ConfigMap')!.data['bucketgate.yaml'], 'sidecar-config');
    // A native sidecar: an init container that keeps running, so it serves before the app starts.
    const init = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.initContainers[0];
    assert.equal(init.restartPolicy, 'Always');
  });

  describe('Istio', () => {
    const istio = path.join(DEPLOY, 'istio');
    const resources = ['ingress/gateway.yaml', 'ingress/ext-proc.yaml', 'sidecar/backend-with-services.yaml', 'sidecar/ext-proc.yaml'].map((f) => path.join(istio, f));
    const mesh = load(path.join(istio, 'mesh-config.yaml'))[0]!.spec.meshConfig;

    it('istioctl validate: every object valid (the EnvoyFilters warn, as all do); a misspelt field refused', async () => {
      for (const file of [...resources, path.join(istio, 'mesh-config.yaml')]) {
        const r = await outcome(toolBin('istioctl'), ['validate', '-f', file]);
        assert.equal(r.code, 0, `${file}: ${r.output}`);
        assert.doesNotMatch(r.output, /error/i, file);
      }
      const broken = readFileSync(resources[0]!, 'utf8').replace('action: CUSTOM', 'acton: CUSTOM');
      const r = await outcome(toolBin('istioctl'), ['validate', '-f', write('broken-istio.yaml', broken)]);
      assert.notEqual(r.code, 0);
      assert.match(r.output, /acton/);
    });

    it('istioctl analyze without a cluster, with our mesh config: no issues', async () => {
      const meshFile = write('mesh.yaml', stringify(mesh));
      const r = await outcome(toolBin('istioctl'), ['analyze', '--use-kube=false', '--meshConfigFile', meshFile, ...resources]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /No validation issues found/);
    });

    it("the mesh config's providers use fields Istio's API defines; every CUSTOM policy names one of them", async () => {
      const { stdout } = await import('node:child_process').then(({ execFileSync }) => ({ stdout: execFileSync('go', ['version', '-m', toolBin('istioctl')], { encoding: 'utf8' }) }));
      const api = /\tdep\tistio\.io\/api\t(\S+)/.exec(stdout)?.[1];
      assert.ok(api, 'istioctl names no istio.io/api version');
      const { stdout: gomod } = await outcome('go', ['env', 'GOMODCACHE']).then((o) => ({ stdout: o.output.trim() }));
      const proto = readFileSync(path.join(gomod, `istio.io/api@${api}`, 'mesh', 'v1alpha1', 'config.proto'), 'utf8');
      const block = /message EnvoyExternalAuthorizationGrpcProvider \{([^]*?)\n    \}/.exec(proto)?.[1] ?? '';
      const fields = new Set([...block.matchAll(/^\s+[\w.]+ (\w+) = \d+/gm)].map((m) => m[1]!.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase())));
      assert.ok(fields.has('clearRouteCache') && fields.has('failOpen'), `parsed fields: ${[...fields].join(', ')}`);
      assert.ok(!fields.has('bogusField'));
      for (const p of mesh.extensionProviders as Obj[]) {
        for (const key of Object.keys(p.envoyExtAuthzGrpc)) assert.ok(fields.has(key), `${p.name}: ${key} is no field of EnvoyExternalAuthorizationGrpcProvider`);
        assert.equal(p.envoyExtAuthzGrpc.failOpen, false, `${p.name} must fail closed`);
      }
      const providers = new Set((mesh.extensionProviders as Obj[]).map((p) => p.name));
      const policies = resources.flatMap(load).filter((o) => o.kind === 'AuthorizationPolicy');
      assert.equal(policies.length, 2);
      for (const p of policies) {
        assert.equal(p.spec.action, 'CUSTOM');
        assert.ok(providers.has(p.spec.provider.name), p.spec.provider.name);
      }
    });

    it("the EnvoyFilters' ext_proc is the one our own Envoy runs (filters.ts), behind a matcher on the mark ext_authz sets", () => {
      const ours = httpFilters('grpc').find((f) => f.name === 'envoy.filters.http.ext_proc')!.typed_config as Obj;
      for (const file of resources.filter((f) => f.endsWith('ext-proc.yaml'))) {
        const wrapped = load(file)[0]!.spec.configPatches[0].patch.value.typed_config;
        const inner = wrapped.extension_config.typed_config;
        assert.match(inner.grpc_service.envoy_grpc.cluster_name, /^outbound\|7000\|\|bucketgate\./);
        const comparable = { ...inner, grpc_service: { ...inner.grpc_service, envoy_grpc: ours.grpc_service.envoy_grpc } };
        assert.deepEqual(comparable, JSON.parse(JSON.stringify(ours)), file);
        const predicate = wrapped.xds_matcher.matcher_list.matchers[0].predicate.not_matcher.single_predicate;
        assert.equal(predicate.input.typed_config.header_name, 'x-bucketgate-extproc');
        assert.deepEqual(predicate.value_match, { exact: '1' });
      }
    });
  });

  it('Envoy Gateway: the Gateway API and Envoy Gateway objects valid against their CRDs; an unknown field refused', async () => {
    const crds = await crdSchemas();
    const file = path.join(DEPLOY, 'envoy-gateway', 's3.yaml');
    const r = await kubeconform([file], [crds]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Valid: 5, Invalid: 0, Errors: 0, Skipped: 0/);
    const broken = readFileSync(file, 'utf8').replace('recomputeRoute: true', 'recomputeRoutes: true');
    const bad = await kubeconform([write('broken-eg.yaml', broken)], [crds]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.output, /recomputeRoutes/);
  });

  it('systemd: the unit verifies (ExecStart pointed at this checkout), with its hardening; a bad directive does not', async () => {
    const unit = readFileSync(path.join(DEPLOY, 'systemd', 'bucketgate.service'), 'utf8');
    for (const option of ['DynamicUser=yes', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE']) {
      assert.ok(unit.includes(`\n${option}\n`), option);
    }
    const here = unit.replace(/^ExecStart=\/usr\/local\/bin\/bucketgate/m, `ExecStart=${process.execPath} ${BIN}`);
    const r = await outcome('systemd-analyze', ['verify', write('bucketgate.service', here)]);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.output.trim(), '', 'systemd-analyze had remarks');
    const bad = await outcome('systemd-analyze', ['verify', write('bad/bucketgate.service'.replace('/', '-'), here.replace('ProtectSystem=strict', 'ProtectSystem=bogus'))]);
    assert.match(bad.output, /Failed to parse protect system value, ignoring: bogus/);
  });
});
