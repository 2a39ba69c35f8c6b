// Bring your own Envoy (issue 15): an Envoy config written the way a user's looks — its own listener,
// its own filter, its own virtual host and cluster for another app — plus what `bucketgate envoy-config
// --fragment` prints, in front of `bucketgate services --listen` over TCP with TLS and a real versitygw. aws-cli
// and boto3 work through it; the user's own routes work as before and never reach the services; with the
// services gone, S3 requests are refused (fail closed) while the user's app still answers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import { createBucketDirect, directClient, startVersitygw, toolsDir, type Backend } from '../../testkit/backends.ts';
import { assertCanary } from '../../testkit/canary.ts';
import { BIN, clusterRequests } from '../../testkit/gateway.ts';
import { freePorts } from '../../testkit/ports.ts';
import { makeTestTls } from '../../testkit/tls.ts';
import { dumpLogsOnFailure, envWithoutAws, startProcess, tcpProbe, trackTempDir, waitUntil, type ManagedProcess } from '../../testkit/process.ts';
import { USERS } from '../../testkit/world.ts';
import { errorCode, send, signedRequest } from '../../testkit/raw-request.ts';
import { AWS_CLI, ensureAwsCli } from './clients/awscli.ts';
import { CAPS } from './clients/client-world.ts';
import { defineBoto3Scenario } from './scenarios/boto3.ts';

const run = promisify(execFile);
const ALICE = USERS.alice;
const BUCKET = 'releases';
const MiB = 1024 * 1024;
const DOMAIN = 's3.byo.test';

/** The user's Envoy, before Bucketgate: one listener, a filter and an app of their own. Then the fragment merged in. */
function usersEnvoy(ports: { envoy: number; admin: number; app: number }, fragment: Record<string, any>) {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: ports.admin } } },
    static_resources: {
      listeners: [{
        name: 'ingress',
        address: { socket_address: { address: '127.0.0.1', port_value: ports.envoy } },
        filter_chains: [{
          filters: [{
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              stat_prefix: 'ingress',
              ...fragment.connection_manager,
              local_reply_config: fragment.local_reply_config,
              http_filters: [
                {
                  name: 'their.stamp',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation',
                    mutations: { response_mutations: [{ append: { header: { key: 'x-their-stamp', value: 'yes' } } }] },
                  },
                },
                ...fragment.http_filters,
                { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
              ],
              route_config: {
                name: 'theirs',
                // Clients send the port in the host; the fragment's domains name none (README, Deploying).
                ignore_port_in_host_matching: true,
                virtual_hosts: [
                  { name: 'their_app', domains: ['app.internal', 'app.internal:*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'their_app' } }] },
                  fragment.virtual_host,
                ],
              },
            },
          }],
        }],
      }],
      clusters: [
        { name: 'their_app', type: 'STATIC', connect_timeout: '1s', load_assignment: { cluster_name: 'their_app', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: ports.app } } } }] }] } },
        ...fragment.clusters,
      ],
    },
  };
}

describe('bring your own Envoy: the fragment in a user-written Envoy config, the services on TCP with TLS', () => {
  let versity: Backend | undefined;
  let services: ManagedProcess | undefined;
  let envoy: ManagedProcess | undefined;
  let app: http.Server | undefined;
  let tmp: { remove(): void } | undefined;
  let dir = '';
  let ports = { envoy: 0, admin: 0, app: 0, services: 0 };
  const appSaw: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  const endpoint = () => `http://127.0.0.1:${ports.envoy}`;

  before(async () => {
    versity = await startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' });
    await assertCanary(versity);
    await createBucketDirect(versity, BUCKET);
    const [e, a, p, s] = await freePorts(4);
    ports = { envoy: e!, admin: a!, app: p!, services: s! };
    app = http.createServer((req, res) => {
      appSaw.push({ url: req.url ?? '', headers: req.headers });
      res.end(`their app: ${req.method} ${req.url}`);
    });
    await new Promise<void>((r) => app!.listen(ports.app, '127.0.0.1', r));

    dir = mkdtempSync(path.join(os.tmpdir(), 'bg-byo-'));
    tmp = trackTempDir(dir);
    const configFile = path.join(dir, 'bucketgate.yaml');
    writeFileSync(configFile, `
listen: { address: 127.0.0.1, port: ${ports.envoy}, domain: ${DOMAIN} }
backends:
  - { name: versity, type: s3, endpoint: ${versity.endpoint}, credentials: { access_key_id: ${versity.accessKey}, secret_access_key: ${versity.secretKey} } }
buckets:
  ${BUCKET}: { backend: versity }
users:
  - { name: alice, access_keys: [ { access_key_id: ${ALICE.accessKeyId}, secret_access_key: ${ALICE.secretAccessKey} } ], buckets: [${BUCKET}] }
`);
    // Across a network the services speak TLS; Envoy verifies them with the CA (and their name, 127.0.0.1).
    const tls = await makeTestTls(dir, ['IP:127.0.0.1']);
    services = startProcess({
      name: 'services', command: process.execPath, env: envWithoutAws(),
      args: [BIN, 'services', '--config', configFile, '--listen', `127.0.0.1:${ports.services}`, '--tls-cert', tls.certFile, '--tls-key', tls.keyFile],
    });
    await waitUntil('services listening', tcpProbe('127.0.0.1', ports.services), { timeoutMs: 30_000, proc: services });

    const { stdout } = await run(process.execPath, [
      BIN, 'envoy-config', '--fragment', '--config', configFile, '--services', `127.0.0.1:${ports.services}`, '--services-ca', tls.caFile,
    ], { env: envWithoutAws() });
    assert.match(stdout, /^# Bucketgate for an Envoy you run/, 'the fragment starts with what it is');
    const bootstrap = path.join(dir, 'their-envoy.yaml');
    const fragment = parse(stdout);
    assert.deepEqual(fragment.virtual_host.domains, [DOMAIN, `*.${DOMAIN}`]);
    // As a user does: the other name their clients use (path style, by address).
    fragment.virtual_host.domains.push('127.0.0.1');
    writeFileSync(bootstrap, JSON.stringify(usersEnvoy(ports, fragment), null, 1));
    const envoyBin = path.join(toolsDir, 'bin', 'envoy');
    await run(envoyBin, ['--mode', 'validate', '-c', bootstrap, '--use-dynamic-base-id']);
    envoy = startProcess({ name: 'their-envoy', command: envoyBin, args: ['-c', bootstrap, '--use-dynamic-base-id', '--log-level', 'warn'] });
    await waitUntil('their Envoy listening', tcpProbe('127.0.0.1', ports.envoy), { timeoutMs: 30_000, proc: envoy });
  }, { timeout: 180_000 });

  after(async () => {
    await envoy?.stop();
    await services?.stop();
    await versity?.stop();
    await new Promise((r) => (app ? app.close(r) : r(undefined)));
    tmp?.remove();
  });
  dumpLogsOnFailure(() => [envoy, services, versity && { name: 'versitygw', logs: versity.logs }].filter((p) => p !== undefined));

  const serviceCalls = () => clusterRequests(ports.admin, 'bucketgate_services');

  /** A GET for the user's app, by its Host (fetch would not send ours). */
  const theirApp = (path: string, headers: Record<string, string> = {}) => send(endpoint(), { method: 'GET', path, headers: { host: 'app.internal', ...headers } });

  it('the services over TLS: a cleartext connection gets no gRPC answer', async () => {
    const res = await new Promise<string>((resolve) => {
      const session = http2.connect(`http://127.0.0.1:${ports.services}`);
      const done = (what: string) => { clearTimeout(timer); session.destroy(); resolve(what); };
      const timer = setTimeout(() => done('no answer within 5 s'), 5000);
      session.on('error', (e) => done(`refused: ${e.message}`));
      session.on('close', () => done('refused: closed'));
      const req = session.request({ ':method': 'POST', ':path': '/envoy.service.auth.v3.Authorization/Check', 'content-type': 'application/grpc' });
      req.on('response', (h) => done(`answered ${String(h[':status'])}`));
      req.on('error', (e) => done(`refused: ${e.message}`));
      req.end();
    });
    assert.match(res, /^(refused|no answer)/);
  });

  it("the user's own routes work as before: their filter runs, their app sees the request, the services are never asked", async () => {
    const before = await serviceCalls();
    const res = await theirApp('/some/page?x=1', { authorization: 'Bearer theirs' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'their app: GET /some/page?x=1');
    assert.equal(res.headers['x-their-stamp'], 'yes');
    const seen = appSaw.at(-1)!;
    assert.equal(seen.headers.authorization, 'Bearer theirs', 'their request reached their app unchanged');
    assert.deepEqual(Object.keys(seen.headers).filter((h) => h.startsWith('x-bucketgate')), []);
    assert.equal(await serviceCalls(), before, 'a request for their app went to the services');
  });

  it('S3 without credentials: 403 AccessDenied from the services (their filter ran too)', async () => {
    const res = await fetch(`${endpoint()}/${BUCKET}/x`);
    assert.equal(res.status, 403);
    assert.equal(errorCode(await res.text()), 'AccessDenied');
    assert.equal(res.headers.get('x-their-stamp'), 'yes');
  });

  it('aws-cli v1: cp up (single PUT and 12 MiB multipart), ls, cp down, presign, rm; checked on the backend', async () => {
    ensureAwsCli('v1');
    // aws-cli v1 presigns with SigV2 unless told otherwise; the gateway accepts SigV4 only.
    writeFileSync(path.join(dir, 'aws-config'), '[default]\nregion = us-east-1\ns3 =\n  signature_version = s3v4\n');
    const env = envWithoutAws({ AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey, AWS_CONFIG_FILE: path.join(dir, 'aws-config') });
    const aws = (...args: string[]) => run(AWS_CLI.v1, ['--endpoint-url', endpoint(), ...args], { env, maxBuffer: 16 * MiB });
    const small = Buffer.from('x'.repeat(1000));
    const big = Buffer.alloc(12 * MiB, 7).map((b, i) => (b + i * 31) & 0xff);
    writeFileSync(path.join(dir, 'small.txt'), small);
    writeFileSync(path.join(dir, 'big.bin'), big);
    await aws('s3', 'cp', path.join(dir, 'small.txt'), `s3://${BUCKET}/awscli/small.txt`);
    await aws('s3', 'cp', path.join(dir, 'big.bin'), `s3://${BUCKET}/awscli/big.bin`);
    const direct = directClient(versity!);
    try {
      for (const [key, body] of [['awscli/small.txt', small], ['awscli/big.bin', big]] as const) {
        const got = await (await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
        assert.ok(Buffer.from(got).equals(body), `${key} on the backend differs`);
      }
    } finally {
      direct.destroy();
    }
    const ls = (await aws('s3', 'ls', `s3://${BUCKET}/awscli/`)).stdout;
    assert.match(ls, /\s1000 small\.txt/);
    assert.match(ls, new RegExp(`\\s${12 * MiB} big\\.bin`));
    // ListObjects V1 names the owner: ext_proc rewrites it to the gateway user, with the ticket ext_authz left it.
    const v1 = JSON.parse((await aws('s3api', 'list-objects', '--bucket', BUCKET, '--prefix', 'awscli/')).stdout) as { Contents: Array<{ Owner: { ID: string } }> };
    assert.deepEqual(v1.Contents.map((c) => c.Owner.ID), [ALICE.accessKeyId, ALICE.accessKeyId]);
    await aws('s3', 'cp', `s3://${BUCKET}/awscli/big.bin`, path.join(dir, 'down.bin'));
    assert.ok(readFileSync(path.join(dir, 'down.bin')).equals(big), 'download differs');
    const url = (await aws('s3', 'presign', `s3://${BUCKET}/awscli/small.txt`, '--expires-in', '300')).stdout.trim();
    assert.equal(Buffer.from(await (await fetch(url)).arrayBuffer()).toString(), small.toString());
    await aws('s3', 'rm', '--recursive', `s3://${BUCKET}/awscli/`);
    assert.equal((await aws('s3', 'ls', `s3://${BUCKET}/awscli/`).catch((e: { stdout?: string }) => e)).stdout ?? '', '');
  });

  it('virtual-host style (bucket in the Host, with a port): the fragment\'s domains and ignore_port_in_host_matching', async () => {
    const host = `${BUCKET}.${DOMAIN}:${ports.envoy}`;
    const put = await signedRequest(`http://${host}`, ALICE, 'PUT', '/vhost.txt', { headers: { 'content-length': '5' } });
    // Sent to the gateway's address with the signed Host header.
    assert.equal((await send(endpoint(), { ...put, body: Buffer.from('hello') })).status, 200);
    const got = await send(endpoint(), await signedRequest(`http://${host}`, ALICE, 'GET', '/vhost.txt'));
    assert.deepEqual([got.status, got.body], [200, 'hello']);
    const direct = directClient(versity!);
    try {
      const stored = await (await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'vhost.txt' }))).Body!.transformToString();
      assert.equal(stored, 'hello');
    } finally {
      direct.destroy();
    }
  });

  defineBoto3Scenario(() => ({
    endpoint: endpoint(), accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey, region: 'us-east-1',
    bucket: BUCKET, forcePathStyle: true, caps: CAPS.versity,
  }), 'their Envoy · releases (versity)');

  it('the services gone: S3 requests get 503 ServiceUnavailable (fail closed), their app still answers', async () => {
    await services!.stop();
    const res = await fetch(`${endpoint()}/${BUCKET}/x`);
    assert.equal(res.status, 503);
    assert.equal(errorCode(await res.text()), 'ServiceUnavailable');
    assert.equal((await theirApp('/still')).body, 'their app: GET /still');
  });
});
