// Keys on a filesystem backend can never reach outside its data directory: `..` segments (plain and
// percent-encoded), absolute-looking keys, NUL, and a symlink inside the bucket pointing outside —
// each sent correctly signed, with its exact raw path, through the real gateway. Each must be refused
// with an S3 error, or be contained under <data>/<bucket>/ (never reading or writing outside).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { FS_BUCKET, useFilesystemGateway } from '../../testkit/filesystem.ts';
import { errorCode, type RawResponse } from '../../testkit/raw-request.ts';

describe('filesystem backend: keys stay inside the data directory', () => {
  const gw = useFilesystemGateway();
  const body = (s: string): { body: Buffer; headers: Record<string, string> } => ({ body: Buffer.from(s), headers: { 'content-length': String(Buffer.byteLength(s)) } });
  /** Every entry under `dir`, recursively (symlinks not followed), relative to it. */
  const tree = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

  /** `res` is an S3 error: status, XML body with a <Code>, and (if given) that code. */
  function assertS3Error(res: RawResponse, what: string, status?: number, code?: string): void {
    assert.ok(res.status >= 400, `${what}: expected an S3 error, got ${res.status}: ${res.body.slice(0, 300)}`);
    if (status !== undefined) assert.equal(res.status, status, `${what}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /xml/, what);
    assert.ok(errorCode(res.body), `${what}: no <Code> in ${res.body}`);
    if (code !== undefined) assert.equal(errorCode(res.body), code, `${what}: ${res.body}`);
  }

  /** Sends a request that the gateway must refuse itself: 400 `code`, and versitygw never sees it. */
  async function expectRefusedAtGateway(method: string, rawPath: string, code: string, message: RegExp): Promise<void> {
    const seen = await gw().gateway.upstreamRequests('local');
    const res = await gw().request(method, rawPath, method === 'PUT' ? body('escaped!') : {});
    assertS3Error(res, `${method} ${rawPath}`, 400, code);
    assert.match(res.body, message);
    assert.equal(await gw().gateway.upstreamRequests('local'), seen, `${method} ${rawPath} reached versitygw`);
  }

  it('a correctly signed PUT and GET of an ordinary key work (so the refusals below mean something)', async () => {
    const seen = await gw().gateway.upstreamRequests('local');
    assert.equal((await gw().request('PUT', `/${FS_BUCKET}/ok/plain.txt`, body('fine'))).status, 200);
    const res = await gw().request('GET', `/${FS_BUCKET}/ok/plain.txt`);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.body, 'fine');
    assert.ok((await gw().gateway.upstreamRequests('local')) >= seen + 2);
  });

  describe('`..` segments, plain and percent-encoded', () => {
    // Resolved by a filesystem, the first two would reach <data>/outside, the rest <root>/outside/*.
    const paths = [
      `/${FS_BUCKET}/../outside`,
      `/${FS_BUCKET}/a/../../outside`,
      `/${FS_BUCKET}/../../outside/dotdot.txt`,
      `/${FS_BUCKET}/%2e%2e/%2e%2e/outside/lower.txt`,
      `/${FS_BUCKET}/%2E%2E/%2E%2E/outside/upper.txt`,
      `/${FS_BUCKET}/a/%2e%2E/..%2f%2e%2e/outside/mixed.txt`,
      `/${FS_BUCKET}/a%2f..%2f..%2f..%2foutside%2fslashes.txt`,
    ];
    for (const method of ['PUT', 'GET']) {
      it(`${method}: each → 400 InvalidArgument from the gateway, versitygw never asked`, async () => {
        for (const p of paths) await expectRefusedAtGateway(method, p, 'InvalidArgument', /path segments are not accepted/);
        assert.equal(existsSync(path.join(gw().dataDir, 'outside')), false, '<data>/outside was created');
        assert.deepEqual(tree(gw().outsideDir), [], 'something was written outside the data dir');
      });
    }
  });

  it('NUL in a key (%00) → 400 InvalidArgument from the gateway, for PUT and GET', async () => {
    for (const method of ['PUT', 'GET']) {
      for (const p of [`/${FS_BUCKET}/nul%00byte.txt`, `/${FS_BUCKET}/ok/plain.txt%00.jpg`, `/${FS_BUCKET}/%00`]) {
        await expectRefusedAtGateway(method, p, 'InvalidArgument', /NUL/);
      }
    }
  });

  describe('absolute-looking keys', () => {
    it('GET /files//etc/passwd is a missing key (404 NoSuchKey), not the real /etc/passwd', async () => {
      const res = await gw().request('GET', `/${FS_BUCKET}//etc/passwd`);
      assertS3Error(res, 'GET //etc/passwd', 404, 'NoSuchKey');
      assert.ok(!res.body.includes('root:'), res.body);
    });

    it('PUT of "/<abs path>" (raw and %2F-encoded) lands under <data>/files/, never at the absolute path', async () => {
      for (const [label, rawPath] of [
        ['raw', `/${FS_BUCKET}/${gw().outsideDir}/abs.txt`],
        ['encoded', `/${FS_BUCKET}/${encodeURIComponent(`${gw().outsideDir}/abs-encoded.txt`)}`],
      ] as const) {
        const put = await gw().request('PUT', rawPath, body(`contained ${label}`));
        assert.equal(put.status, 200, `PUT ${rawPath}: ${put.body}`);
        const name = label === 'raw' ? 'abs.txt' : 'abs-encoded.txt';
        assert.equal(existsSync(path.join(gw().outsideDir, name)), false, `PUT ${rawPath} wrote the absolute path`);
        const inside = path.join(gw().bucketDir, gw().outsideDir, name);
        assert.equal(readFileSync(inside, 'utf8'), `contained ${label}`, `not stored at ${inside}`);
        const get = await gw().request('GET', rawPath);
        assert.equal(get.status, 200, get.body);
        assert.equal(get.body, `contained ${label}`);
      }
    });

    // Only after the harmless absolute path above was shown to be contained (a failure there stops
    // this suite's file from ever reaching the real /etc/passwd with a write).
    it('PUT /files//etc/passwd is stored as <data>/files/etc/passwd; /etc/passwd is untouched; GET returns what was put', async () => {
      assert.equal(existsSync(path.join(gw().bucketDir, gw().outsideDir, 'abs.txt')), true, 'the contained-absolute check did not pass');
      const real = readFileSync('/etc/passwd', 'utf8');
      const mine = `not-the-passwd-file ${randomBytes(4).toString('hex')}`;
      const put = await gw().request('PUT', `/${FS_BUCKET}//etc/passwd`, body(mine));
      assert.equal(put.status, 200, put.body);
      assert.equal(readFileSync('/etc/passwd', 'utf8'), real, '/etc/passwd changed');
      assert.equal(readFileSync(path.join(gw().bucketDir, 'etc', 'passwd'), 'utf8'), mine);
      const get = await gw().request('GET', `/${FS_BUCKET}//etc/passwd`);
      assert.equal(get.status, 200, get.body);
      assert.equal(get.body, mine);
    });
  });

  describe('a symlink inside the bucket pointing outside the data dir', () => {
    const secret = `TOP-SECRET-${randomBytes(8).toString('hex')}`;
    before(() => {
      writeFileSync(path.join(gw().outsideDir, 'secret.txt'), secret);
      symlinkSync(gw().outsideDir, path.join(gw().bucketDir, 'link'));
      symlinkSync(path.join(gw().outsideDir, 'secret.txt'), path.join(gw().bucketDir, 'secret-link.txt'));
    });

    it('GET /files/link/secret.txt and /files/secret-link.txt → an S3 error, never the outside file', async () => {
      const results = [];
      for (const p of [`/${FS_BUCKET}/link/secret.txt`, `/${FS_BUCKET}/secret-link.txt`]) {
        const res = await gw().request('GET', p);
        results.push({ path: p, status: res.status, leaked: res.body.includes(secret), code: errorCode(res.body) ?? null });
      }
      assert.deepEqual(results.filter((r) => r.leaked || r.status < 400 || r.code === null), [], `read through a symlink: ${JSON.stringify(results)}`);
    });

    it('ListObjectsV2 does not list the files outside the data dir', async () => {
      const listed: Record<string, string[]> = {};
      for (const q of ['list-type=2', 'list-type=2&prefix=link/']) {
        const res = await gw().request('GET', `/${FS_BUCKET}?${q}`);
        assert.equal(res.status, 200, res.body);
        const keys = [...res.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
        const outside = keys.filter((k) => k.startsWith('link/') || k === 'secret-link.txt');
        if (outside.length > 0) listed[q] = outside;
      }
      assert.deepEqual(listed, {}, 'listings show files that live outside the data dir');
    });

    it('PUT /files/link/new.txt → an S3 error; nothing is written outside the data dir', async () => {
      const res = await gw().request('PUT', `/${FS_BUCKET}/link/new.txt`, body('written through a symlink'));
      assert.deepEqual(tree(gw().outsideDir), ['secret.txt'], `PUT answered ${res.status} and wrote outside the data dir`);
      assertS3Error(res, 'PUT /files/link/new.txt');
    });

    it('DeleteObjects naming keys through the links → AccessDenied for those, the outside files survive, an ordinary key is deleted', async () => {
      assert.equal((await gw().request('PUT', `/${FS_BUCKET}/ok/batch.txt`, body('to delete'))).status, 200);
      const xml = Buffer.from('<Delete><Object><Key>link/secret.txt</Key></Object><Object><Key>secret-link.txt</Key></Object><Object><Key>ok/batch.txt</Key></Object></Delete>');
      const res = await gw().request('POST', `/${FS_BUCKET}?delete`, {
        body: xml, headers: { 'content-length': String(xml.length), 'content-md5': createHash('md5').update(xml).digest('base64') },
      });
      assert.equal(existsSync(path.join(gw().outsideDir, 'secret.txt')), true, `DeleteObjects answered ${res.status} and removed a file outside the data dir`);
      assert.equal(res.status, 200, res.body);
      const errors = [...res.body.matchAll(/<Error><Key>([^<]+)<\/Key><Code>([^<]+)<\/Code>/g)].map((m) => [m[1], m[2]]);
      assert.deepEqual(errors, [['link/secret.txt', 'AccessDenied'], ['secret-link.txt', 'AccessDenied']], res.body);
      assert.match(res.body, /<Deleted><Key>ok\/batch.txt<\/Key>/);
      assert.equal(existsSync(path.join(gw().bucketDir, 'ok', 'batch.txt')), false);
    });

    it('DELETE /files/link/secret.txt → the outside file survives', async () => {
      const res = await gw().request('DELETE', `/${FS_BUCKET}/link/secret.txt`);
      assert.equal(existsSync(path.join(gw().outsideDir, 'secret.txt')), true, `DELETE answered ${res.status} and removed a file outside the data dir`);
    });
  });

  it('afterwards: nothing but the bucket was created in the data dir', () => {
    assert.deepEqual(readdirSync(gw().dataDir), [FS_BUCKET]);
  });
});
