// The HTTP/1.1 endpoint Envoy's ext_authz `http_service` calls, on a Unix socket: one check request
// in, one answer out (status, headers, body). node:http costs less per check than any gRPC stack
// measured here (bench/results/), which is why Envoy reaches ext_authz this way by default.
import http from 'node:http';

export interface HttpAuthzCheck {
  method: string;
  url: string;
  rawHeaders: readonly string[];
}

export interface HttpAuthzAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpAuthzServer {
  listen(target: { socket: string }): Promise<void>;
  /** Stops accepting; checks in flight finish; connections still open after graceMs are cut. */
  close(graceMs?: number): Promise<void>;
}

// S3 requests may carry large signed headers; Envoy's own limit is 60 KiB.
const MAX_HEADER_BYTES = 96 * 1024;

export function createHttpAuthzServer(handle: (check: HttpAuthzCheck) => HttpAuthzAnswer): HttpAuthzServer {
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    let answer: HttpAuthzAnswer;
    try {
      answer = handle({ method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders });
    } catch (e) {
      // The handler fails closed on its own; this is the last guard. Envoy reads a 5xx answer as a
      // failed check and drops its body: the client gets 503 ServiceUnavailable (envoy/local-reply.ts).
      console.error('ext_authz http error:', e);
      answer = { status: 500, headers: {}, body: '' };
    }
    // The check request carries no body we read (Envoy sends none), but drain whatever comes.
    req.resume();
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  });
  // Envoy keeps its upstream connections for reuse; a server-side idle timeout would race its next check.
  server.keepAliveTimeout = 0;
  server.on('clientError', (_err, socket) => socket.destroy());

  return {
    listen({ socket }) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(socket, () => {
          server.off('error', reject);
          server.on('error', (err) => console.error('ext_authz http server error:', err));
          resolve();
        });
      });
    },
    close(graceMs = 0) {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
      });
    },
  };
}
