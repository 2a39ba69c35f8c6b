// /_/health and /_/ready on the gateway's port (issue 14): live whenever Envoy answers, ready only while
// the services serve and every backend accepts connections; neither needs credentials, and neither takes a
// request that means S3 (another method, or a virtual-host style key `_/health`).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { useOneBucketGateway } from '../../testkit/one-bucket.ts';
import { startRelay, type Relay } from '../../testkit/relay.ts';
import { errorCode, send } from '../../testkit/raw-request.ts';
import { waitUntil } from '../../testkit/process.ts';

const DOMAIN = 's3.health.test';

describe('health endpoints', () => {
  let relay: Relay | undefined;
  const one = useOneBucketGateway({
    bucket: 'probed',
    listen: `domain: ${DOMAIN}`,
    endpointOf: async (versity) => {
      relay = await startRelay(Number(new URL(versity.endpoint).port));
      return `http://127.0.0.1:${relay.port}`;
    },
  });
  after(async () => { await relay?.close(); });

  /** A request with the Host we choose (fetch would not send it). */
  const get = (path: string, { method = 'GET', host = '127.0.0.1' } = {}) => send(one().gateway.endpoint, { method, path, headers: { host } });

  it('live: 200 without credentials, and without a call to the services', async () => {
    const before = await one().gateway.serviceCalls();
    const res = await get('/_/health');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'live\n');
    assert.equal((await get('/_/health', { method: 'HEAD' })).status, 200);
    assert.equal(await one().gateway.serviceCalls(), before);
  });

  it('ready: 200 with every backend reachable; 503 naming the backend while it refuses connections; ready again after', async () => {
    const ready = await get('/_/ready');
    assert.equal(ready.status, 200, ready.body);
    assert.equal(ready.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(ready.body), { status: 'ready', backends: { versity: 'reachable' } });
    const outage = relay!.down(4_000);
    // The probe's result lives two seconds: within the outage, the answer turns.
    await waitUntil('not ready', async () => (await get('/_/ready')).status === 503, { timeoutMs: 3_500 });
    const down = await get('/_/ready');
    assert.equal(JSON.parse(down.body).status, 'not ready');
    assert.match(JSON.parse(down.body).backends.versity, /^unreachable: /);
    assert.equal((await get('/_/health')).status, 200, 'live while a backend is down');
    await outage;
    await waitUntil('ready again', async () => (await get('/_/ready')).status === 200, { timeoutMs: 5_000 });
  });

  it('ready: 503 while no services worker serves, ready again once the supervisor restarted it', async () => {
    const pids = one().gateway.workerPids();
    assert.ok(pids.length > 0, 'no services worker pid');
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* an earlier worker, already gone */ }
    }
    const during = await get('/_/ready');
    assert.equal(during.status, 503, during.body);
    await waitUntil('ready after the restart', async () => (await get('/_/ready')).status === 200, { timeoutMs: 15_000 });
  });

  it('requests that mean S3 stay S3: another method, or the key _/health of a virtual-host bucket', async () => {
    const put = await get('/_/health', { method: 'PUT' });
    assert.notEqual(put.status, 200);
    assert.ok(errorCode(put.body), `an S3 error, not a probe answer: ${put.body}`);
    const key = await get('/_/health', { host: `probed.${DOMAIN}:${one().gateway.port}` });
    assert.equal(key.status, 403);
    assert.equal(errorCode(key.body), 'AccessDenied');
  });
});
