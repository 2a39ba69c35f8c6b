// The policy table (issue 17): what the policy set costs beside the interim grant, measured in the same
// run — one decision in this process, and the 4 KiB GET rate through the real gateway. Target: the
// policy set costs < 10% of the GET rate (policy set ÷ interim grant ≥ 0.90×).
import type { DecisionCost } from './decision-cost.ts';
import { POLICY_SET, policySetCounts } from './policy-set.ts';
import type { RateFigures } from './report.ts';

export interface PolicyFigures {
  cost: { interim: DecisionCost; policySet: DecisionCost };
  rate: { interim: RateFigures; policySet: RateFigures };
  rowLabel: string;
}

export function renderPolicy({ cost, rate, rowLabel }: PolicyFigures): string {
  const { rules, conditioned } = policySetCounts();
  const us = (n: number): string => n.toFixed(1);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  const errors = (r: RateFigures): string => (r.errors ? ` ⚠ ${r.errors} errors` : '');
  return [
    `### Access policy: ${POLICY_SET.users} users, ${rules} rules (${conditioned} with a CEL condition)`,
    '',
    `The interim grant is one user with \`buckets: [bench]\`; the policy set (bench/policy-set.ts) puts the bench user in ${POLICY_SET.benchGroups} of ` +
      `${POLICY_SET.groups} groups, so each of its requests is decided over ${POLICY_SET.benchGroups * POLICY_SET.rulesPerGroup + 1} rules. ` +
      'One decision: the bench\'s signed GET through authorize() (shape, SigV4 verify, policy, the backend\'s signature) and the policy\'s verdict alone, ' +
      'in the bench\'s own process, median of runs. The rate row: Bucketgate beside a second `bucketgate start` with the policy set, back to back. ' +
      'Target: the policy set costs < 10% of the 4 KiB GET rate.',
    '',
    '| Measure | Interim grant | Policy set | Policy set ÷ interim grant |',
    '|---|---:|---:|---|',
    `| One decision: authorize(), µs | ${us(cost.interim.authorizeUs)} | ${us(cost.policySet.authorizeUs)} | +${us(cost.policySet.authorizeUs - cost.interim.authorizeUs)} µs |`,
    `| One decision: policy verdict, µs | ${us(cost.interim.verdictUs)} | ${us(cost.policySet.verdictUs)} | +${us(cost.policySet.verdictUs - cost.interim.verdictUs)} µs |`,
    `| ${rowLabel}, req/s | ${Math.round(rate.interim.reqPerSec)}${errors(rate.interim)} | ${Math.round(rate.policySet.reqPerSec)}${errors(rate.policySet)} | ${ratio(rate.policySet.reqPerSec, rate.interim.reqPerSec)} (target ≥ 0.90×) |`,
    `| ${rowLabel}, p99 ms | ${rate.interim.p99Ms.toFixed(2)} | ${rate.policySet.p99Ms.toFixed(2)} | |`,
  ].join('\n');
}
