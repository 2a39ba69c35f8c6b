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

/** `input` is asked for only when a rule's condition runs (most rules have none, or fail earlier). */
export function evaluate(rules: readonly BoundRule[], target: ResourceTarget, operation: string, input: () => ConditionInput): Decision {
  let document: ConditionInput | undefined;
  const outcomes = rules.map((rule): RuleOutcome => {
    const { ref: r, effect } = rule;
    if (!actionApplies(rule, operation, target)) return { rule: r, effect, matched: false, failed: 'action' };
    if (!rule.resources.some((g) => globApplies(g, target, effect))) return { rule: r, effect, matched: false, failed: 'resource' };
    if (!rule.when) return { rule: r, effect, matched: true };
    const result = rule.when((document ??= input()));
    // Fail closed: a condition that cannot be evaluated (a missing header, a type mismatch) allows
    // nothing and denies what its rule denies.
    if (result instanceof Error) {
      return effect === 'deny'
        ? { rule: r, effect, matched: true, conditionError: result.message }
        : { rule: r, effect, matched: false, failed: 'condition', conditionError: result.message };
    }
    return result ? { rule: r, effect, matched: true } : { rule: r, effect, matched: false, failed: 'condition' };
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
