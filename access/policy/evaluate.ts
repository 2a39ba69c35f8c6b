// The decision for one request: every rule of the principal is tried (action, resource, condition);
// a matching deny wins, else a matching allow, else nothing allows it (deny). The decision says why:
// the deciding rule and, for each other rule, whether it matched or what it failed on — what
// `policy explain` prints and the audit records.
import type { ConditionInput } from '../../core/policy/input-document.ts';
import { OPERATIONS } from '../../core/s3/actions.ts';
import type { BoundRule, RuleRef } from './compile.ts';
import { globApplies, type ResourceTarget } from './resources.ts';

export type RuleOutcome =
  | { rule: RuleRef; effect: 'allow' | 'deny'; matched: true; conditionError?: string }
  | { rule: RuleRef; effect: 'allow' | 'deny'; matched: false; failed: 'action' | 'resource' | 'condition'; conditionError?: string };

export interface Decision {
  allowed: boolean;
  /** The rule that decided; absent when no rule matched (denied by default). */
  deciding?: RuleRef;
  rules: RuleOutcome[];
}

export function evaluate(rules: readonly BoundRule[], target: ResourceTarget, input: ConditionInput): Decision {
  const operation = input.request.operation;
  const outcomes = rules.map((rule): RuleOutcome => {
    const base = { rule: { policy: rule.policy, index: rule.index }, effect: rule.effect };
    if (!actionApplies(rule, operation, target)) return { ...base, matched: false, failed: 'action' };
    if (!rule.resources.some((g) => globApplies(g, target, rule.effect))) return { ...base, matched: false, failed: 'resource' };
    if (!rule.when) return { ...base, matched: true };
    const result = rule.when(input);
    // Fail closed: a condition that cannot be evaluated (a missing header, a type mismatch) allows
    // nothing and denies what its rule denies.
    if (result instanceof Error) {
      return rule.effect === 'deny'
        ? { ...base, matched: true, conditionError: result.message }
        : { ...base, matched: false, failed: 'condition', conditionError: result.message };
    }
    return result ? { ...base, matched: true } : { ...base, matched: false, failed: 'condition' };
  });
  const deny = outcomes.find((o) => o.matched && o.effect === 'deny');
  const allow = outcomes.find((o) => o.matched && o.effect === 'allow');
  const deciding = deny ?? allow;
  return { allowed: deny === undefined && allow !== undefined, ...(deciding && { deciding: deciding.rule }), rules: outcomes };
}

/**
 * Whoever may do anything in a bucket may see that it exists (HeadBucket, GetBucketLocation, and so
 * ListBuckets): for the `any` scope an allow rule applies whatever its actions. A deny still needs them.
 */
function actionApplies(rule: BoundRule, operation: string, target: ResourceTarget): boolean {
  return rule.actions(operation) || (target.scope === 'any' && rule.effect === 'allow');
}

/** The target of a request: the action table's scope, or the bucket or key for an unknown operation. */
export function targetOf(operation: string, bucket: string, key: string, prefix = ''): ResourceTarget {
  const scope = OPERATIONS[operation]?.scope ?? (bucket === '' ? 'service' : key === '' ? 'bucket' : 'object');
  return { scope, bucket, key, prefix };
}
