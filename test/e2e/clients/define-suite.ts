// One node:test test per run of a client: the client's scenario against the run's target, then what the
// run must show beyond the scenario's own checks. A virtual-host run straight to the gateway: the client
// really resolved bucket.<domain>. A captured run: every request used the expected Host form, and the
// payload kinds of its uploads are the ones this client is documented to send (clients/README.md).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { header, type RecordedRequest } from './request-parser.ts';
import { allKinds, operationOf, uploadKinds } from './payload-kinds.ts';
import { runLabel, type ClientTarget, type ClientWorld, type RunSpec, type Transport } from './client-world.ts';
import { cleanUpRun } from './verify.ts';

export interface ClientSuite {
  /** e.g. "aws-cli v2 2.9.19" */
  name: string;
  runs: RunSpec[];
  /** Distinct payload kinds of PutObject/UploadPart requests (payloadKind lines), asserted on captured runs. */
  uploadKinds: Record<Transport, string[]>;
  /** Operations the client sends path style even in virtual-host mode (allowed on captured runs only for these). */
  pathStyleAlways?: string[];
  /** Throws with a clear message if the client is not installed here (the run then fails, never skips). */
  ensureInstalled(): Promise<void> | void;
  /**
   * TLS runs: the client, given everything but the test CA, must refuse the gateway's certificate (so the
   * runs with the CA prove verification, and nothing ambient made the CA trusted). Resolves with the error.
   */
  refusedWithoutCa(t: ClientTarget): Promise<string>;
  /** The client's scenario; record every check through `tc` (see Steps). */
  scenario(t: ClientTarget, tc: TestContext): Promise<void>;
  timeoutMs?: number;
}

/** How the clients here word a certificate they cannot verify. */
const TLS_REFUSAL = /certificate|CERTIFICATE_VERIFY_FAILED|SSL validation failed|x509|unable to (get|verify)|self[- ]signed/i;

export function defineClientSuite(cw: () => ClientWorld, suite: ClientSuite): void {
  describe(suite.name, () => {
    for (const spec of suite.runs) {
      it(runLabel(spec), { timeout: suite.timeoutMs ?? 180_000 }, async (tc) => {
        await suite.ensureInstalled();
        const t = await cw().open(spec, suite.name);
        try {
          try {
            if (spec.transport === 'https') {
              const refusal = await suite.refusedWithoutCa(t);
              const line = refusal.split('\n').find((l) => TLS_REFUSAL.test(l)) ?? refusal.split('\n')[0];
              tc.diagnostic(`without the test CA: ${line?.trim()}`);
              assert.match(refusal, TLS_REFUSAL, 'without the test CA the client must refuse the certificate');
              t.resetResolved();
            }
            await suite.scenario(t, tc);
          } finally {
            if (t.recorder) for (const line of allKinds(t.recorder.requests(), t.domain)) tc.diagnostic(`sent: ${line}`);
            await cleanUpRun(t);
          }
          // Virtual-host style, proved by the Host headers on a captured run, else by the names the client resolved.
          if (spec.style === 'virtual' && !t.recorder) {
            assert.ok(t.resolvedNames().includes(`${t.bucket}.${t.domain}`),
              `the client never resolved ${t.bucket}.${t.domain} (resolved: ${t.resolvedNames().join(', ') || 'nothing'}): not virtual-host style?`);
          }
          if (t.recorder) {
            tc.diagnostic(`upload kinds: ${JSON.stringify(uploadKinds(t.recorder.requests(), t.domain))}`);
            checkCapture(t, t.recorder.requests(), t.recorder.errors(), suite.uploadKinds[spec.transport], suite.pathStyleAlways ?? []);
          }
        } finally {
          await t.close();
        }
      });
    }
  });
}

function checkCapture(t: ClientTarget, requests: RecordedRequest[], errors: string[], expectedUploads: string[], pathStyleAlways: string[]): void {
  assert.deepEqual(errors, [], 'the recorder could not read what the client sent');
  assert.ok(requests.length > 0, 'the recorder saw no request');
  const pathHost = `127.0.0.1:${t.port}`;
  const bare = `${t.domain}:${t.port}`;
  for (const r of requests) {
    const host = header(r, 'host') ?? '';
    // An absolute-form request line (the gateway used as HTTP proxy) must name the same authority as Host.
    if (r.absoluteAuthority !== undefined) assert.equal(r.absoluteAuthority, host, `${r.method} ${r.target}: request line and Host differ`);
    if (t.spec.style === 'path') {
      assert.equal(host, pathHost, `path style: ${r.method} ${r.target} went to Host ${host}`);
    } else if (host === bare) {
      // Only bucket-less requests (ListBuckets) may use the bare domain in virtual-host style, and the
      // operations this client is known to send path style whatever it is told.
      if (!pathStyleAlways.includes(operationOf(r, t.domain))) {
        assert.match(r.target, /^\/(\?.*)?$/, `virtual-host style: ${r.method} ${r.target} was sent path style to ${host}`);
      }
    } else {
      assert.match(host, new RegExp(`^[a-z0-9.-]+\\.${t.domain.replace(/\./g, '\\.')}:${t.port}$`), `virtual-host style: unexpected Host ${host}`);
    }
  }
  assert.deepEqual(uploadKinds(requests, t.domain), [...expectedUploads].sort(), 'payload kinds of this client\'s uploads (see clients/README.md)');
}
