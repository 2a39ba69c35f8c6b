// How rules are named wherever a person reads a decision: explanations, cases files, the audit log.
import type { AdmissionRuleRef } from './admission.ts';
import type { RuleRef } from './policy/compile.ts';

/** `policy[index]`, or `none` (a default deny). */
export function ruleName(ref: RuleRef | undefined): string {
  return ref ? `${ref.policy}[${ref.index}]` : 'none';
}

/** `admission:block-net`, or `admission[2]` for a rule without a name. */
export function admissionRuleName(ref: AdmissionRuleRef): string {
  return ref.name === undefined ? `admission[${ref.index}]` : `admission:${ref.name}`;
}
