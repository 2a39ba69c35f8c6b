// Filesystem backends: keys must stay inside <path>/<bucket>. The gateway already refuses `.`/`..`
// segments and NUL for every backend; here it also refuses what only a directory tree has:
// versitygw follows symbolic links (measured: GET, PUT, DELETE and LIST through a link reached
// files outside the data directory), and keeps in-flight uploads under `.sgwtmp/` inside the
// bucket, readable by name. A link anywhere on a key's path, or a `.sgwtmp` key, is AccessDenied.
//
// The check looks at the tree as it is when the request arrives. S3 clients cannot create links,
// so what it guards against are links made by local users; it does not guard against a local user
// racing the request (swapping a directory for a link in between).
import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { RouteDecision } from '../core/route-decision.ts';
import { errors } from '../core/errors.ts';

const INTERNAL_DIR = '.sgwtmp';

function segments(key: string): string[] {
  return key.split('/').filter((s) => s !== '');
}

/** Throws AccessDenied if `key` (decoded) would pass through a symlink or into versitygw's own files. */
export function assertContained(dataDir: string, bucket: string, key: string): void {
  const segs = segments(key);
  if (segs[0] === INTERNAL_DIR) throw errors.accessDenied();
  let p = path.join(dataDir, bucket);
  for (let i = 0; i <= segs.length; i++) {
    if (i > 0) p = path.join(p, segs[i - 1]!);
    let isLink: boolean;
    try {
      isLink = lstatSync(p).isSymbolicLink();
    } catch {
      return; // Not there (yet): nothing below it can be a link.
    }
    if (isLink) throw errors.accessDenied('Access Denied: the object path crosses a symbolic link.');
  }
}

/** For listings: an entry the client could not read is not shown either. */
export function isHidden(dataDir: string, bucket: string, key: string): boolean {
  try {
    assertContained(dataDir, bucket, key);
    return false;
  } catch {
    return true;
  }
}

/** Every path a request names on a filesystem backend: its key and its copy source. */
export function assertRequestContained(dataDir: string, d: RouteDecision): void {
  if (!d.realBucket) return;
  assertContained(dataDir, d.realBucket, decodeURIComponent(d.encodedKey));
  if (d.copySource) {
    // Formatted by the gateway itself: /<real bucket>/<encoded key>[?versionId=…]
    const [src] = d.copySource.slice(1).split('?');
    const slash = src!.indexOf('/');
    assertContained(dataDir, src!.slice(0, slash), decodeURIComponent(src!.slice(slash + 1)));
  }
}
