// A decision as `policy explain` prints it: the verdict, the deciding rule, and every rule in the
// order it was tried with what it matched or failed on (as text for people, as JSON for scripts).
import { authMethod } from '../identity/identity.ts';
import type { RuleOutcome } from '../policy/evaluate.ts';
import { admissionRuleName, ruleName } from '../rule-names.ts';
import type { Outcome } from './cases.ts';
import type { Probed } from './probe.ts';

export function outcomeOf(p: Pick<Probed, 'refusedBy' | 'decision' | 'listing'>): Outcome {
  if (p.refusedBy) return 'deny';
  if (p.listing) return p.listing.scope === 'whole' ? 'allow' : p.listing.scope === 'filtered' ? 'filtered' : 'deny';
  return p.decision.allowed ? 'allow' : 'deny';
}

/** What decided, as cases files name it: an admission rule, a policy rule, or none. */
export function decidingName(p: Pick<Probed, 'refusedBy' | 'decision' | 'listing'>): string {
  if (p.refusedBy) return admissionRuleName(p.refusedBy.rule);
  return ruleName(p.listing ? p.listing.deciding : p.decision.deciding);
}

/** `alice (sigv4, key AKIA…)` or `anonymous`. */
export function who({ identity }: Pick<Probed, 'identity'>): string {
  return identity.principal === undefined ? 'anonymous' : `${identity.principal} (${authMethod(identity)}, key ${identity.accessKeyId})`;
}

/** `GetObject on builds/a.txt`, `ListObjectsV2 on builds (prefix "team-a/")`, `ListBuckets`. */
export function what({ request: r }: Pick<Probed, 'request'>): string {
  if (r.bucket === '') return r.operation;
  const listing = r.prefix ? ` (prefix ${JSON.stringify(r.prefix)})` : '';
  return `${r.operation} on ${r.key === '' ? r.bucket : `${r.bucket}/${r.key}`}${listing}`;
}

function status(o: RuleOutcome): string {
  const error = o.conditionError === undefined ? '' : ` (condition error: ${o.conditionError})`;
  return o.matched ? `matched${error}` : `no match: ${o.failed}${error}`;
}

function filteredNote(operation: string): string {
  return operation === 'DeleteObjects'
    ? 'served key by key: each key is deleted only if a DeleteObject of it is allowed, the others are answered AccessDenied; rules below as for the whole batch'
    : 'served filtered: only the keys and prefixes the principal may list are shown; rules below as for the whole listing';
}

export function explainText(p: Probed): string {
  const { decision, refusedBy } = p;
  if (refusedBy) {
    return [
      `DENY ${what(p)} by ${who(p)}`,
      `deciding rule: ${admissionRuleName(refusedBy.rule)} (before authentication: ${refusedBy.status} ${refusedBy.code})`,
      'rules: not consulted (admission refused the request)',
    ].join('\n');
  }
  const outcome = outcomeOf(p);
  const rule = p.listing ? p.listing.deciding : decision.deciding;
  const deciding = rule
    ? `${ruleName(rule)} (${outcome === 'filtered' ? 'allow, reaching below the prefix' : outcome})`
    : 'none: no rule allows it (denied by default)';
  const names = decision.rules.map((o) => ruleName(o.rule));
  const width = Math.max(0, ...names.map((n) => n.length));
  const rules = decision.rules.map((o, i) => `  ${names[i]!.padEnd(width)}  ${o.effect.padEnd(5)}  ${status(o)}`);
  return [
    `${outcome.toUpperCase()} ${what(p)} by ${who(p)}`,
    `deciding rule: ${deciding}`,
    ...(outcome === 'filtered' ? [filteredNote(p.request.operation)] : []),
    ...(rules.length > 0 ? ['rules, in order:', ...rules] : ['rules: none (this principal has no rule)']),
  ].join('\n');
}

export function explainJson(p: Probed): object {
  const { identity, request, decision, refusedBy } = p;
  return {
    decision: outcomeOf(p),
    deciding: (p.listing ? p.listing.deciding : decision.deciding) ?? null,
    admission: refusedBy ?? null,
    principal: { name: identity.principal ?? null, authMethod: authMethod(identity), keyId: identity.accessKeyId ?? null },
    request,
    rules: decision.rules.map(({ rule, ...outcome }) => ({ ...rule, ...outcome })),
  };
}
