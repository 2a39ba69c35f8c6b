// Test handlers for Check and Process, shared by the transport tests (same code on both stacks).
import type { BidiCall, ServiceBinding } from '../../../../wire/grpc/transport.ts';
import { CHECK, PROCESS, sleep } from './helpers.ts';

export interface Observed {
  messages: number;
  ends: number;
  cancels: number;
}

/** Check answers by path: /throw, /reject, /slow (300 ms), /hang (1.5 s, not holding the process), /big?<bytes>, else OK echoing the path. */
export function checkHandler(req: any): any {
  const path: string = req.attributes?.request?.http?.path ?? '';
  if (path === '/throw') throw new Error('boom: ü 100%');
  if (path === '/reject') return Promise.reject(new Error('rejected'));
  if (path === '/slow') return sleep(300).then(() => ok(path));
  if (path === '/hang') return new Promise((resolve) => setTimeout(() => resolve(ok(path)), 1500).unref());
  if (path.startsWith('/big?')) {
    return { status: { code: 7 }, denied_response: { status: { code: 403 }, body: 'x'.repeat(Number(path.slice(5))) } };
  }
  return path.startsWith('/async') ? Promise.resolve(ok(path)) : ok(path);
}

function ok(path: string) {
  return { status: { code: 0 }, ok_response: { headers: [{ header: { key: 'x-path', value: path } }] } };
}

/**
 * Process: request_headers → CONTINUE with the :path echoed in x-path (a path of /throw throws);
 * request_body → the same body back as a body mutation. Ends the call when the client half-closes.
 */
export function processHandler(observed: Observed = { messages: 0, ends: 0, cancels: 0 }) {
  return (call: BidiCall) => {
    call.onMessage((m: any) => {
      observed.messages++;
      if (m.request_body) {
        call.write({ request_body: { response: { body_mutation: { body: m.request_body.body } } } });
        return;
      }
      const path = m.request_headers?.headers?.headers?.find((h: any) => h.key === ':path')?.raw_value?.toString() ?? '';
      if (path === '/throw') throw new Error('process boom');
      call.write({
        request_headers: { response: { status: 'CONTINUE', header_mutation: { set_headers: [{ header: { key: 'x-path', raw_value: Buffer.from(path) } }] } } },
      });
    });
    call.onEnd(() => {
      observed.ends++;
      call.end();
    });
    call.onCancel(() => observed.cancels++);
  };
}

export function binding(observed?: Observed): ServiceBinding {
  return { unary: { [CHECK]: checkHandler }, bidi: { [PROCESS]: processHandler(observed) } };
}
