// The node:http2 server both hand-held stacks (http2, connect) run on: h2c, or TLS when given a certificate
// (someone else's Envoy across a network), its options, the sessions it holds, listening on a socket or
// port, and closing with a grace period.
import http2 from 'node:http2';
import type { GrpcTransport, ServerTls } from './types.ts';

export interface H2cServer extends GrpcTransport {
  readonly server: http2.Http2Server | http2.Http2SecureServer;
}

/** `label` names the stack in the log line of a server error after listen. */
export function createH2cServer(label: string, tls?: ServerTls): H2cServer {
  const sessions = new Set<http2.ServerHttp2Session>();
  const options = {
    // Node rejects new streams once a session buffers this many MB; our limit is maxSendBytes per message.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
    // Envoy resets each ext_proc stream it is done with; nghttp2's reset-flood guard (1000 burst, 33/s)
    // would answer with GOAWAY under load. Node ≥ 22.10 / 23 reads these; older versions ignore them.
    ...({ streamResetBurst: 1_000_000, streamResetRate: 1_000_000 } as object),
  };
  const server = tls ? http2.createSecureServer({ ...options, cert: tls.cert, key: tls.key }) : http2.createServer(options);
  // Session errors (bad preface, socket reset) end that session only; the server emits them here.
  server.on('sessionError', () => {});
  server.on('session', (session) => {
    sessions.add(session);
    session.on('error', () => {});
    session.on('close', () => sessions.delete(session));
  });

  return {
    server,
    listen(target) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        const listening = () => {
          server.off('error', reject);
          server.on('error', (err) => console.error(`gRPC ${label} server error:`, err));
          resolve();
        };
        if ('socket' in target) server.listen(target.socket, listening);
        else server.listen(target.port, target.host, listening);
      });
    },
    close(graceMs = 0) {
      return new Promise((resolve) => {
        server.close(() => resolve());
        // GOAWAY: no new streams, those in flight go on; whatever is left after graceMs is destroyed.
        for (const session of sessions) session.close();
        const timer = setTimeout(() => {
          for (const session of sessions) session.destroy();
        }, graceMs);
        timer.unref();
      });
    },
  };
}
