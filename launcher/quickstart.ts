// `bucketgate start` with no config: an authenticated endpoint on this machine in one command.
// The embedded default is a filesystem backend under ./data with one bucket; the user's credentials
// are generated on first run, kept in .bucketgate/credentials.json (0600) and printed once. It
// never starts open.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { filesystemBackend } from '../core/config/model.ts';
import type { Credentials, GatewayConfig } from '../core/config/types.ts';
import { log } from './log.ts';
import { startGateway } from './start.ts';

const BUCKET = 'default';

function loadOrCreateCredentials(stateDir: string): { user: Credentials; created: boolean } {
  const file = path.join(stateDir, 'credentials.json');
  if (existsSync(file)) return { user: JSON.parse(readFileSync(file, 'utf8')).user, created: false };
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const user = { accessKeyId: `BG${randomBytes(9).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
  writeFileSync(file, JSON.stringify({ user }, null, 2), { mode: 0o600 });
  return { user, created: true };
}

export function quickstartConfig(user: Credentials, dataDir: string, port: number): GatewayConfig {
  return {
    listen: { address: '127.0.0.1', port },
    backends: [filesystemBackend('local', dataDir)],
    buckets: [{ name: BUCKET, backend: 'local', realName: BUCKET }],
    defaultBackend: 'local',
    users: [{ name: 'admin', accessKeys: [user], buckets: '*' }],
    openAccess: false,
    envoy: { adminPort: 0, concurrency: 0, extAuthz: 'http' },
    services: { workers: 1 },
  };
}

export async function startQuickstart(): Promise<never> {
  const stateDir = path.resolve('.bucketgate');
  const { user, created } = loadOrCreateCredentials(stateDir);
  const port = Number(process.env.BUCKETGATE_PORT ?? 9000);
  const endpoint = `http://127.0.0.1:${port}`;
  if (created) {
    log('gateway', 'Generated credentials (shown once; kept in .bucketgate/credentials.json, mode 0600):');
    log('gateway', `  AWS_ACCESS_KEY_ID=${user.accessKeyId} AWS_SECRET_ACCESS_KEY=${user.secretAccessKey} aws --endpoint-url ${endpoint} s3 ls s3://${BUCKET}/`);
  } else {
    log('gateway', `Using the credentials in ${path.join(stateDir, 'credentials.json')} (access key ${user.accessKeyId}).`);
  }
  log('gateway', `Objects are plain files under ${path.resolve('data')}/<bucket>/<key>.`);
  return startGateway(quickstartConfig(user, path.resolve('data'), port));
}
