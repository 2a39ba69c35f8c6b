// A principal's bound rules and, per operation of the action table, those whose actions apply to it:
// a request's verdict then tries only the rules about its operation (which rules those are depends on
// the operation alone, so it is worked out once per principal and operation, on first use).
import { OPERATIONS } from '../../core/s3/actions.ts';
import type { BoundRule } from './compile.ts';
import { actionApplies, targetOf } from './evaluate.ts';

export class RuleSet {
  private readonly byOperation = new Map<string, readonly BoundRule[]>();

  constructor(readonly all: readonly BoundRule[]) {}

  /** The rules that may apply to `operation`; all of them for one the table does not know (its name comes from the client: not kept). */
  about(operation: string): readonly BoundRule[] {
    if (OPERATIONS[operation] === undefined) return this.all;
    let rules = this.byOperation.get(operation);
    if (!rules) {
      const target = targetOf(operation, '', '');
      this.byOperation.set(operation, (rules = this.all.filter((r) => actionApplies(r, operation, target))));
    }
    return rules;
  }
}
