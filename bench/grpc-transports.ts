// Node CPU per gRPC call on each wire/grpc transport: the server runs in a child process on a Unix
// socket with a trivial Check handler; a grpc-js client here keeps CONCURRENCY calls in flight.
// The child's process.cpuUsage() over the measured calls, divided by their number, is the figure.
//   node --import tsx bench/grpc-transports.ts [calls=20000] [concurrency=32]
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadEnvoyServices } from '../wire/protos.ts';
import { createTransport, type TransportName } from '../wire/grpc/transport.ts';

const CHECK = '/envoy.service.auth.v3.Authorization/Check';
const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--serve') {
  // Child: serve, answer 'cpu' with the CPU used so far.
  const [name, socket] = [process.argv[3] as TransportName, process.argv[4]!];
  const transport = createTransport(
    name,
    { unary: { [CHECK]: (req: any) => ({ status: { code: 0 }, ok_response: { headers: [{ header: { key: 'x-bucketgate-cluster', value: req.attributes?.request?.http?.host ?? 'b' } }] } }) } },
    { maxReceiveBytes: 64 << 20, maxSendBytes: 64 << 20 },
  );
  await transport.listen({ socket });
  process.on('message', async (m) => {
    if (m === 'cpu') process.send!(process.cpuUsage());
    if (m === 'stop') {
      await transport.close(100);
      process.exit(0);
    }
  });
  process.send!('ready');
} else {
  const calls = Number(process.argv[2] ?? 20_000);
  const concurrency = Number(process.argv[3] ?? 32);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bucketgate-grpc-bench-'));
  const request = {
    attributes: { request: { http: { method: 'GET', path: '/bucket/key', host: 'bucket.example', headers: { host: 'bucket.example', 'x-amz-date': '20261203T000000Z', authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20261203/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + '0'.repeat(64) } } } },
  };
  const ask = <T>(child: ChildProcess, m: string) => new Promise<T>((resolve) => child.once('message', (r) => resolve(r as T)).send(m));

  async function measure(name: TransportName) {
    const socket = path.join(dir, `${name}.sock`);
    const child = fork(self, ['--serve', name, socket], { execArgv: ['--import', 'tsx'] });
    await new Promise((r) => child.once('message', r));
    const Client = grpc.makeGenericClientConstructor(loadEnvoyServices().authorization, 'Authorization');
    const client = new Client(`unix:${socket}`, grpc.credentials.createInsecure()) as any;
    const run = async (n: number) => {
      let next = 0;
      const worker = async () => {
        while (next++ < n) await new Promise((res, rej) => client.Check(request, (e: unknown, v: unknown) => (e ? rej(e) : res(v))));
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    await run(Math.min(5000, calls)); // warm-up: JIT, connection
    const before = await ask<NodeJS.CpuUsage>(child, 'cpu');
    const started = process.hrtime.bigint();
    await run(calls);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const after = await ask<NodeJS.CpuUsage>(child, 'cpu');
    client.close();
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    const cpuUs = after.user - before.user + (after.system - before.system);
    return { name, usPerCall: cpuUs / calls, callsPerSecond: calls / seconds };
  }

  const results = [];
  for (const name of ['grpc-js', 'http2'] as TransportName[]) results.push(await measure(name));
  fs.rmSync(dir, { recursive: true, force: true });
  const base = results[0]!.usPerCall;
  console.log(`${calls} unary Check calls, ${concurrency} in flight, grpc-js client; server CPU (user+system) per call:`);
  for (const r of results) {
    console.log(`  ${r.name.padEnd(8)} ${r.usPerCall.toFixed(1).padStart(7)} µs/call  (${(r.usPerCall / base).toFixed(2)}× grpc-js)  ${Math.round(r.callsPerSecond)} calls/s`);
  }
}
