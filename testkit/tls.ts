// A throw-away certificate authority and one server certificate signed by it, made with openssl for a
// test: clients verify the gateway's TLS listener through the CA file (never by turning checks off).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export interface TestTls {
  /** PEM of the CA certificate: what clients get as their CA bundle. */
  caFile: string;
  /** PEM of the server certificate (leaf only) and its key, for listen.tls. */
  certFile: string;
  keyFile: string;
  /** The names in the server certificate's subjectAltName, e.g. ['IP:127.0.0.1', 'DNS:*.s3.example.test']. */
  altNames: string[];
}

const run = promisify(execFile);
const openssl = (args: string[]): Promise<unknown> => run('openssl', args).catch((e: Error & { stderr?: string }) => {
  throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
});

/** Writes ca.{crt,key} and server.{crt,key} into `dir` (EC P-256, valid for 2 days). */
export async function makeTestTls(dir: string, altNames: string[]): Promise<TestTls> {
  const f = (name: string): string => path.join(dir, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req', '-x509', ...ecKey, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2',
    '-subj', '/CN=Bucketgate test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash',
  ]);
  await openssl(['req', '-new', ...ecKey, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=bucketgate test server']);
  writeFileSync(f('server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    `subjectAltName=${altNames.join(',')}`,
    '',
  ].join('\n'));
  await openssl([
    'x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-out', f('server.crt'), '-days', '2', '-extfile', f('server.ext'),
  ]);
  return { caFile: f('ca.crt'), certFile: f('server.crt'), keyFile: f('server.key'), altNames };
}
