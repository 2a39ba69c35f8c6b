// `bucketgate start` with no config: an authenticated endpoint on this machine in one command.
// A managed versitygw (posix) serves ./data on loopback with generated credentials; the gateway
// user's credentials are generated on first run, kept in .bucketgate/credentials.json (0600), and
// printed once. It never starts open.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Credentials, GatewayConfig } from '../core/config/types.ts';
import { toolsDir } from '../envoy/locate.ts';
import { SigningKeyCache } from '../core/sigv4/signing-key.ts';
import { BackendSigner } from '../extproc/sign.ts';
import { log, startChild } from './child.ts';
import { startGateway } from './start.ts';

const BUCKET = 'default';

interface QuickstartState {
  user: Credentials;
  backend: Credentials;
}

function newCredentials(prefix: string): Credentials {
  const id = randomBytes(10).toString('hex').toUpperCase();
  return { accessKeyId: `${prefix}${id}`, secretAccessKey: randomBytes(30).toString('base64url') };
}

function loadOrCreateState(stateDir: string): { state: QuickstartState; created: boolean } {
  const file = path.join(stateDir, 'credentials.json');
  if (existsSync(file)) return { state: JSON.parse(readFileSync(file, 'utf8')), created: false };
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const state = { user: newCredentials('BG'), backend: newCredentials('LOCAL') };
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
  return { state, created: true };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function ensureBucket(config: GatewayConfig): Promise<void> {
  const backend = config.backends[0]!;
  const signer = new BackendSigner(backend, new SigningKeyCache());
  const authority = `${backend.endpoint.host}:${backend.endpoint.port}`;
  const plan = { authority, path: `/${BUCKET}`, query: {}, wireQuery: '', headersToSign: { host: authority, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } };
  for (let attempt = 0; ; attempt++) {
    try {
      const { authorization, amzDate } = signer.sign('PUT', plan, new Date());
      const res = await fetch(`http://${authority}/${BUCKET}`, {
        method: 'PUT',
        headers: { authorization, 'x-amz-date': amzDate, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      });
      const body = await res.text();
      if (res.ok || body.includes('BucketAlreadyOwnedByYou')) return;
      throw new Error(`CreateBucket answered ${res.status}: ${body.slice(0, 200)}`);
    } catch (e) {
      if (attempt > 50) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startQuickstart(): Promise<never> {
  const versitygw = path.join(toolsDir(), 'bin', 'versitygw');
  if (!existsSync(versitygw)) {
    log('gateway', `versitygw was not found at ${versitygw}. Install it with \`bash scripts/install-tools.sh\`.`);
    process.exit(2);
  }
  const stateDir = path.resolve('.bucketgate');
  const dataDir = path.resolve('data');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(path.join(stateDir, 'iam'), { recursive: true, mode: 0o700 });
  const { state, created } = loadOrCreateState(stateDir);
  const port = await freePort();
  const backendChild = startChild(
    'versitygw',
    versitygw,
    ['-q', '--keep-alive', '--port', `127.0.0.1:${port}`, '--iam-dir', path.join(stateDir, 'iam'), 'posix', dataDir],
    { ...process.env, ROOT_ACCESS_KEY: state.backend.accessKeyId, ROOT_SECRET_KEY: state.backend.secretAccessKey },
  );
  const listenPort = Number(process.env.BUCKETGATE_PORT ?? 9000);
  const config: GatewayConfig = {
    listen: { address: '127.0.0.1', port: listenPort },
    backends: [
      { name: 'local', type: 's3', endpoint: { scheme: 'http', host: '127.0.0.1', port }, region: 'us-east-1', addressing: 'path', credentials: state.backend },
    ],
    buckets: [{ name: BUCKET, backend: 'local', realName: BUCKET }],
    defaultBackend: 'local',
    users: [{ name: 'admin', accessKeys: [state.user], buckets: '*' }],
    openAccess: false,
    envoy: { adminPort: 0, concurrency: 0 },
  };
  await ensureBucket(config);
  const endpoint = `http://127.0.0.1:${listenPort}`;
  if (created) {
    log('gateway', 'Generated credentials (shown once; kept in .bucketgate/credentials.json, mode 0600):');
    log('gateway', `  AWS_ACCESS_KEY_ID=${state.user.accessKeyId} AWS_SECRET_ACCESS_KEY=${state.user.secretAccessKey} aws --endpoint-url ${endpoint} s3 ls s3://${BUCKET}/`);
  } else {
    log('gateway', `Using the credentials in ${path.join(stateDir, 'credentials.json')} (access key ${state.user.accessKeyId}).`);
  }
  log('gateway', `Objects are plain files under ${dataDir}/<bucket>/<key>.`);
  return startGateway(config, { companions: [backendChild] });
}
