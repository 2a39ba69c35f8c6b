// Public prefixes, admission rules and the client's address through the real gateway (issue 17).
// curl without credentials reads under a public prefix and lists inside it, and is refused anywhere
// else and for any write; admission denies by CIDR before authentication, rejects a frozen bucket's
// writes with 503 and S3 XML, and lets `continue` pass; a `when` on request.sourceIp sees the peer.
// The address cannot be spoofed with X-Forwarded-For (or the gateway's own header) unless
// listen.xff_num_trusted_hops trusts a proxy: four gateways, ext_authz over HTTP and gRPC, 0 and 1 hop.
// Every refusal is also proven at the backend: Envoy's upstream counter does not move.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBucketDirect, directClient, startVersitygw, type Backend } from '../../testkit/backends.ts';
import { assertCanary } from '../../testkit/canary.ts';
import { startGateway, type RunningGateway } from '../../testkit/gateway.ts';
import { dumpLogsOnFailure } from '../../testkit/process.ts';
import { send, signedRequest, type RawResponse } from '../../testkit/raw-request.ts';

const ALICE = { accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret-one-0123456789' };
const BUCKETS = ['builds', 'home', 'frozen', 'closed'];

function configYaml(versity: Backend, ports: { port: number; adminPort: number }, transport: 'http' | 'grpc', hops: number): string {
  return `
listen: { address: 127.0.0.1, port: ${ports.port}, xff_num_trusted_hops: ${hops} }
backends:
  - { name: versity, type: s3, endpoint: ${versity.endpoint}, credentials: { access_key_id: ${versity.accessKey}, secret_access_key: ${versity.secretKey} } }
buckets:
  builds: { backend: versity, public_prefixes: ["releases/"] }
  home: { backend: versity }
  frozen: { backend: versity }
  closed: { backend: versity }
users:
  - { name: alice, policies: [own-home, lab, maintained], access_keys: [ { access_key_id: ${ALICE.accessKeyId}, secret_access_key: ${ALICE.secretAccessKey} } ] }
policies:
  - name: own-home
    rules:
      - effect: allow
        actions: [read, write, list]
        resources: ["home/\${principal.name}/*"]
        when: 'request.sourceIp.startsWith("127.") && request.method != "DELETE"'
  - name: lab
    rules:
      - { effect: allow, actions: [read, write], resources: ["home/lab/*"], when: 'request.sourceIp.inCidr("2001:db8::/32")' }
  - name: maintained
    rules:
      - { effect: allow, actions: ["*"], resources: [frozen, "frozen/*", closed, "closed/*"] }
admission:
  - { name: trace, match: { bucket: builds }, action: continue }
  - { name: block-loopback, match: { source_ip_list: ["127.0.0.0/8"], bucket: closed }, action: deny }
  - { name: block-net, match: { source_ip_list: ["203.0.113.0/24"] }, action: deny }
  - { name: maintenance, match: { bucket: frozen, method: [PUT, POST, DELETE] }, action: reject, status: 503, message: "frozen for maintenance" }
envoy: { admin_port: ${ports.adminPort}, ext_authz: ${transport} }
`;
}

const GATEWAYS = [
  { transport: 'http', hops: 0 },
  { transport: 'grpc', hops: 0 },
  { transport: 'http', hops: 1 },
  { transport: 'grpc', hops: 1 },
] as const;

describe('public prefixes, admission rules and the source IP', () => {
  let versity: Backend;
  const gateways: RunningGateway[] = [];

  before(async () => {
    versity = await startVersitygw({ accessKey: 'VERSITYROOTKEY', secretKey: 'versity-root-secret-0123456789' });
    // The canary first: the backend must reject a wrong secret, or nothing below proves anything.
    await assertCanary(versity);
    const direct = directClient(versity);
    for (const b of BUCKETS) await createBucketDirect(versity, b);
    for (const [bucket, key] of [['builds', 'releases/v1.txt'], ['builds', 'private/plan.txt'], ['frozen', 'old.txt'], ['closed', 'c.txt']]) {
      await direct.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `seed ${bucket}/${key}` }));
    }
    direct.destroy();
    for (const g of GATEWAYS) gateways.push(await startGateway((p) => configYaml(versity, p, g.transport, g.hops)));
  }, { timeout: 240_000 });
  after(async () => {
    for (const g of gateways) await g.stop();
    await versity?.stop();
  });
  dumpLogsOnFailure(() => [...gateways.map((g) => g.proc), ...(versity ? [{ name: 'versitygw', logs: versity.logs }] : [])]);

  const gateway = () => gateways[0]!;

  /** curl without credentials: status and body. */
  async function curl(method: 'GET' | 'HEAD' | 'PUT', path: string): Promise<{ status: number; body: string }> {
    // A HEAD answer has no body; -I would print the headers as one.
    const args = ['-s', '-o', method === 'HEAD' ? '/dev/null' : '-', '-w', '\n%{http_code}', ...(method === 'HEAD' ? ['-I'] : ['-X', method]), ...(method === 'PUT' ? ['--data-binary', 'x'] : []), `${gateway().endpoint}${path}`];
    const { stdout } = await promisify(execFile)('curl', args);
    const at = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
  }

  /** Asserts every request is refused as expected and none of them reached the backend. */
  async function refusedUnseen(g: RunningGateway, requests: (() => Promise<{ status: number; body: string }>)[], status: number, code: string) {
    const before = await g.upstreamRequests('versity');
    for (const request of requests) {
      const r = await request();
      assert.equal(r.status, status, r.body);
      if (r.body !== '') assert.match(r.body, new RegExp(`<Code>${code}</Code>`));
    }
    assert.equal(await g.upstreamRequests('versity'), before, 'the backend saw a refused request');
  }

  it('curl without credentials: GET and HEAD under the public prefix, LIST inside it', async () => {
    const get = await curl('GET', '/builds/releases/v1.txt');
    assert.deepEqual(get, { status: 200, body: 'seed builds/releases/v1.txt' });
    assert.equal((await curl('HEAD', '/builds/releases/v1.txt')).status, 200);
    const list = await curl('GET', '/builds?list-type=2&prefix=releases/');
    assert.equal(list.status, 200, list.body);
    assert.match(list.body, /<Key>releases\/v1\.txt<\/Key>/);
    assert.doesNotMatch(list.body, /private/);
  });

  it('curl without credentials: outside the prefix, a listing without it, any write: 403, unseen by the backend', async () => {
    await refusedUnseen(gateway(), [
      () => curl('GET', '/builds/private/plan.txt'),
      () => curl('HEAD', '/builds/private/plan.txt'),
      () => curl('GET', '/builds?list-type=2'),
      () => curl('GET', '/builds?list-type=2&prefix=rel'),
      () => curl('PUT', '/builds/releases/evil.txt'),
      () => curl('GET', '/home/alice/x'),
      () => curl('GET', '/'),
    ], 403, 'AccessDenied');
  });

  const signedSend = async (g: RunningGateway, method: string, path: string, extra: Record<string, string> = {}): Promise<RawResponse> => {
    const req = await signedRequest(g.endpoint, ALICE, method, path, method === 'PUT' ? { headers: { 'content-length': '2' } } : {});
    return send(g.endpoint, { ...req, headers: { ...req.headers, ...extra }, ...(method === 'PUT' && { body: Buffer.from('hi') }) });
  };

  it('admission: deny by CIDR before authentication, reject with 503 and S3 XML, continue lets the rest decide', async () => {
    const g = gateway();
    await refusedUnseen(g, [() => signedSend(g, 'GET', '/closed/c.txt')], 403, 'AccessDenied');
    await refusedUnseen(g, [() => signedSend(g, 'PUT', '/frozen/new.txt'), () => signedSend(g, 'DELETE', '/frozen/old.txt')], 503, 'ServiceUnavailable');
    const frozen = await signedSend(g, 'PUT', '/frozen/new.txt');
    assert.match(frozen.body, /<Message>frozen for maintenance<\/Message>/);
    assert.match(String(frozen.headers['content-type']), /xml/);
    assert.equal((await signedSend(g, 'GET', '/frozen/old.txt')).status, 200); // reads of the frozen bucket pass
    // `trace` matched builds and continued: the policy decided (alice has no grant there).
    assert.equal((await signedSend(g, 'GET', '/builds/releases/v1.txt')).status, 403);
  });

  it('a when on request.sourceIp sees the client (127.0.0.1): own home allowed, the IPv6 lab is not', async () => {
    const g = gateway();
    assert.equal((await signedSend(g, 'PUT', '/home/alice/a.txt')).status, 200);
    assert.equal((await signedSend(g, 'GET', '/home/alice/a.txt')).body, 'hi');
    await refusedUnseen(g, [() => signedSend(g, 'PUT', '/home/lab/a.txt')], 403, 'AccessDenied');
  });

  const SPOOF = { 'x-forwarded-for': '203.0.113.5', 'x-bucketgate-source-ip': '203.0.113.5' };

  for (const [i, { transport, hops }] of GATEWAYS.entries()) {
    if (hops === 0) {
      it(`ext_authz over ${transport}, no trusted hop: X-Forwarded-For and x-bucketgate-source-ip change nothing`, async () => {
        const g = gateways[i]!;
        const r = await signedSend(g, 'PUT', `/home/alice/${transport}.txt`, SPOOF);
        assert.equal(r.status, 200, r.body); // not blocked by block-net, and own-home still sees 127.0.0.1
        await refusedUnseen(g, [() => signedSend(g, 'GET', '/closed/c.txt', SPOOF)], 403, 'AccessDenied'); // still loopback
      });
    } else {
      it(`ext_authz over ${transport}, one trusted hop: the proxy's X-Forwarded-For entry is the client (IPv4 and IPv6)`, async () => {
        const g = gateways[i]!;
        await refusedUnseen(g, [() => signedSend(g, 'PUT', '/home/alice/x.txt', { 'x-forwarded-for': '203.0.113.5' })], 403, 'AccessDenied');
        await refusedUnseen(g, [() => signedSend(g, 'PUT', '/home/alice/x.txt', { 'x-forwarded-for': '198.51.100.7' })], 403, 'AccessDenied');
        // Only the last entry is the trusted proxy's word; what the client wrote before it is not.
        const lab = await signedSend(g, 'PUT', `/home/lab/${transport}.txt`, { 'x-forwarded-for': '203.0.113.5, 2001:db8::5' });
        assert.equal(lab.status, 200, lab.body);
        // The gateway's own header is no way in either.
        await refusedUnseen(g, [() => signedSend(g, 'PUT', '/home/lab/y.txt', { 'x-forwarded-for': '198.51.100.7', 'x-bucketgate-source-ip': '2001:db8::5' })], 403, 'AccessDenied');
        // No proxy in front: the peer.
        assert.equal((await signedSend(g, 'PUT', `/home/alice/${transport}-direct.txt`)).status, 200);
      });
    }
  }
});
