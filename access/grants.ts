// The interim grant: a list of bucket names per user ('*' for all). The policy engine replaces it;
// until then this is the one place that answers "may this principal use this bucket".
import type { UserConfig } from '../core/config/types.ts';

export class BucketGrants {
  private readonly grants = new Map<string, '*' | ReadonlySet<string>>();

  constructor(users: readonly UserConfig[], private readonly openAccess: boolean) {
    for (const u of users) this.grants.set(u.name, u.buckets === '*' ? '*' : new Set(u.buckets));
  }

  /** `principal` undefined means anonymous access, allowed only under open_access. */
  mayUse(principal: string | undefined, bucket: string): boolean {
    if (principal === undefined) return this.openAccess;
    const g = this.grants.get(principal);
    return g === '*' || (g !== undefined && g.has(bucket));
  }
}
