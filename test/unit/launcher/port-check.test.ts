// launcher/port-check.ts: a busy address is refused with its holder named; /proc/net/tcp is read right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { assertAddressFree, listeningInodes } from '../../../launcher/port-check.ts';

// Two listeners (ports 0x2328 = 9000 and 0x1F90 = 8080) and one established connection from port 9000.
const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:2328 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 20 4 30 10 -1
`;

test('listening sockets of a port, by inode; connections and other ports are not', () => {
  assert.deepEqual(listeningInodes(TABLE, 9000), ['111']);
  assert.deepEqual(listeningInodes(TABLE, 8080), ['222']);
  assert.deepEqual(listeningInodes(TABLE, 54321), []);
  assert.deepEqual(listeningInodes('', 9000), []);
});

test('a port something listens on is refused, naming this process as the holder; a free one is not', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    await assert.rejects(assertAddressFree('127.0.0.1', port), {
      message: `address 127.0.0.1:${port} is in use by pid ${process.pid} (node); stop it or choose another port`,
    });
    await assert.rejects(assertAddressFree('0.0.0.0', port), /in use by pid/);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await assertAddressFree('127.0.0.1', port);
});
