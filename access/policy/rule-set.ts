// A principal's bound rules and, per operation of the action table, those whose actions apply to it:
// a request's verdict then tries only the rules about its operation (which rules those are depends on
// the operation alone, so it is worked out once per principal and operation, on first use), and of
// those, for a request on one resource, only the ones whose globs may match it (prefix-index.ts).
import { OPERATIONS } from '../../core/s3/actions.ts';
import type { BoundRule } from './compile.ts';
import { actionApplies, targetOf } from './evaluate.ts';
import { PrefixIndex } from './prefix-index.ts';
import type { ResourceTarget } from './resources.ts';

export class RuleSet {
  private readonly byOperation = new Map<string, PrefixIndex>();
  private readonly every: PrefixIndex;

  constructor(readonly all: readonly BoundRule[]) {
    this.every = new PrefixIndex(all);
  }

  /** The rules that may apply to `operation`. */
  about(operation: string): readonly BoundRule[] {
    return this.indexOf(operation).rules;
  }

  /**
   * Of about(operation), those whose globs may apply to the target as globApplies() reads them: fewer
   * for a service, bucket or object target, all of them for `keys` and `any` (a prefix, not one string).
   */
  applicable(operation: string, target: ResourceTarget): readonly BoundRule[] {
    const index = this.indexOf(operation);
    return target.single === undefined ? index.rules : index.candidates(target.single);
  }

  /** All rules for an operation the table does not know (its name comes from the client: not kept). */
  private indexOf(operation: string): PrefixIndex {
    if (OPERATIONS[operation] === undefined) return this.every;
    let index = this.byOperation.get(operation);
    if (!index) {
      const target = targetOf(operation, '', '');
      this.byOperation.set(operation, (index = new PrefixIndex(this.all.filter((r) => actionApplies(r, operation, target)))));
    }
    return index;
  }
}
