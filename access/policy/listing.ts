// A listing's verdict (scope `keys`) in three outcomes: `whole` — allowed as any request, every key under
// the prefix readable; `filtered` — not whole, but an allow reaches below the prefix (a grant on
// `b/team-a/*` for a listing of `b/`) and no deny takes the whole prefix: the listing goes through and
// ext_proc leaves out what the principal may not read; `none` — refused. A DeleteObjects batch is
// decided the same way over its bucket: `filtered` has ext_proc decide each of its keys.
import type { CelDocument } from '../../core/policy/cel-document.ts';
import type { BoundRule, RuleRef } from './compile.ts';
import { verdict, type Applies } from './evaluate.ts';
import type { ResourceTarget } from './resources.ts';

export type ListingScope = 'whole' | 'filtered' | 'none';

/**
 * Requests over many keys served narrowed to the grant when broader than it: the listings of keys
 * (filtered; ListMultipartUploads is not one) and DeleteObjects (decided key by key). The verdict is
 * the same for both: a batch's scope is every key of its bucket.
 */
export const FILTERABLE: ReadonlySet<string> = new Set(['ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'DeleteObjects']);

/** The scope, and the rule that decided it (for the audit line), as for any other verdict. */
export type ListingVerdict = { scope: ListingScope; deciding?: RuleRef };

/** The looser reading: an allow applies when it touches the prefix, a deny only when it covers all of it. */
const reaches: Applies = (glob, target, effect) => {
  const prefix = `${target.bucket}/${target.prefix}`;
  return effect === 'allow' ? glob.touches(prefix) : glob.covers(prefix);
};

export function listingVerdict(rules: readonly BoundRule[], target: ResourceTarget, operation: string, input: () => CelDocument): ListingVerdict {
  const whole = verdict(rules, target, operation, input);
  const decided = whole.allowed ? whole : verdict(rules, target, operation, input, reaches);
  const scope: ListingScope = whole.allowed ? 'whole' : decided.allowed ? 'filtered' : 'none';
  return decided.deciding ? { scope, deciding: decided.deciding } : { scope };
}
