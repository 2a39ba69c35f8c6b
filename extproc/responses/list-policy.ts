// Which entries of a filtered listing (access/policy/listing.ts) the principal may see: an entry is
// kept iff the same listing narrowed to it would show it — a key K iff a listing of prefix K is whole,
// a common prefix P iff a listing of P is whole or filtered (something under it is listable).
//
// Why a listing of prefix K and not a GetObject of K: a listing shows what the `list` action grants,
// not `read` (a principal may list keys it cannot download, or download keys it cannot list), and its
// conditions see a listing's request (operation, prefix, delimiter). Asking the listing verdict keeps
// the filtered view equal to the whole views: whole is monotone in the prefix (an allow covering P
// covers every longer prefix, a deny touching a longer prefix touches P), so every key a whole listing
// of some prefix shows is kept here, and nothing a whole listing would refuse is. It errs closed: a
// deny that matches only longer keys (`b/report.pdf.*` for key `report.pdf`) hides the key too.
import type { AccessControl, AccessRequest, Identity } from '../../access/access-control.ts';
import type { Hidden } from './list-filter.ts';

export function policyHidden(access: AccessControl, identity: Identity, listing: AccessRequest, now: Date): Hidden {
  return (name, kind) => {
    const { scope } = access.listingVerdict(identity, { ...listing, prefix: name }, now);
    return kind === 'key' ? scope !== 'whole' : scope === 'none';
  };
}
