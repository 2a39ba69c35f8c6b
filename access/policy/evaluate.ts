// The decision for one request: every rule of the principal is tried (action, resource, condition);
// a matching deny wins, else a matching allow, else nothing allows it (deny). The decision says why:
// the deciding rule and, for each other rule, whether it matched or what it failed on — what
// `policy explain` prints and the audit records.
import type { CelDocument } from '../../core/policy/cel-document.ts';
import { OPERATIONS } from '../../core/s3/actions.ts';
import type { BoundRule, RuleRef } from './compile.ts';
import type { Glob } from '../../core/glob.ts';
import { globApplies, singleResource, type ResourceTarget } from './resources.ts';

export type RuleOutcome =
  | { rule: RuleRef; effect: 'allow' | 'deny'; matched: true; conditionError?: string }
  | { rule: RuleRef; effect: 'allow' | 'deny'; matched: false; failed: 'action' | 'resource' | 'condition'; conditionError?: string };

/** What a request needs: allowed or not, and the rule that decided (absent when no rule matched: denied by default). */
export interface Verdict {
  allowed: boolean;
  deciding?: RuleRef;
}

/** A verdict with its explanation: every rule's outcome, in order. */
export interface Decision extends Verdict {
  rules: RuleOutcome[];
}

/** Whether a rule's glob applies to the target: globApplies(), or a listing's looser reading (listing.ts). */
export type Applies = (glob: Glob, target: ResourceTarget, effect: 'allow' | 'deny') => boolean;

/** One rule against one request: matched (true), where it failed, or the Error its condition gave. */
function tryRule(rule: BoundRule, target: ResourceTarget, operation: string, document: () => CelDocument, applies: Applies = globApplies): true | 'action' | 'resource' | 'condition' | Error {
  if (!actionApplies(rule, operation, target)) return 'action';
  if (!rule.resources.some((g) => applies(g, target, rule.effect))) return 'resource';
  if (!rule.when) return true;
  const result = rule.when(document());
  return result instanceof Error ? result : result || 'condition';
}

/**
 * Fail closed: a condition that cannot be evaluated (a missing header, a type mismatch) allows
 * nothing and denies what its rule denies.
 */
const matched = (effect: 'allow' | 'deny', tried: ReturnType<typeof tryRule>): boolean => tried === true || (tried instanceof Error && effect === 'deny');

function outcome(rule: BoundRule, target: ResourceTarget, operation: string, document: () => CelDocument): RuleOutcome {
  const { ref: r, effect } = rule;
  const tried = tryRule(rule, target, operation, document);
  const conditionError = tried instanceof Error ? { conditionError: tried.message } : {};
  if (matched(effect, tried)) return { rule: r, effect, matched: true, ...conditionError };
  return { rule: r, effect, matched: false, failed: tried instanceof Error ? 'condition' : (tried as 'action' | 'resource' | 'condition'), ...conditionError };
}

/** Every rule tried, for the explanation: a matching deny wins, else a matching allow, else deny. */
export function evaluate(rules: readonly BoundRule[], target: ResourceTarget, operation: string, input: () => CelDocument): Decision {
  const outcomes = rules.map((rule) => outcome(rule, target, operation, input));
  const deny = outcomes.find((o) => o.matched && o.effect === 'deny');
  const allow = outcomes.find((o) => o.matched && o.effect === 'allow');
  const deciding = deny ?? allow;
  return { allowed: deny === undefined && allow !== undefined, ...(deciding && { deciding: deciding.rule }), rules: outcomes };
}

/**
 * The same verdict as evaluate() (the first matching deny, else the first matching allow), with only
 * the work it needs: it stops at a matching deny and, once an allow matched, skips the other allows.
 */
export function verdict(rules: readonly BoundRule[], target: ResourceTarget, operation: string, input: () => CelDocument, applies: Applies = globApplies): Verdict {
  let allow: RuleRef | undefined;
  for (const rule of rules) {
    if (rule.effect === 'allow' && allow) continue;
    if (!matched(rule.effect, tryRule(rule, target, operation, input, applies))) continue;
    if (rule.effect === 'deny') return { allowed: false, deciding: rule.ref };
    allow = rule.ref;
  }
  return allow ? { allowed: true, deciding: allow } : { allowed: false };
}

/**
 * Whoever may do anything in a bucket may see that it exists (HeadBucket, GetBucketLocation, and so
 * ListBuckets): for the `any` scope an allow rule applies whatever its actions. A deny still needs them.
 */
export function actionApplies(rule: BoundRule, operation: string, target: ResourceTarget): boolean {
  return rule.actions(operation) || (target.scope === 'any' && rule.effect === 'allow');
}

/** The target of a request: the action table's scope, or the bucket or key for an unknown operation. */
export function targetOf(operation: string, bucket: string, key: string, prefix = ''): ResourceTarget {
  const scope = OPERATIONS[operation]?.scope ?? (bucket === '' ? 'service' : key === '' ? 'bucket' : 'object');
  return { scope, bucket, key, prefix, single: singleResource(scope, bucket, key) };
}
