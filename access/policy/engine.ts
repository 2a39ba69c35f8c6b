// The policy engine as AccessControl holds it: built once from the config (every user's rules bound
// to its name and groups), then one pure decision per request.
import type { GatewayConfig } from '../../core/config/types.ts';
import type { PrincipalDocument } from '../../core/policy/input-document.ts';
import { OPERATIONS } from '../../core/s3/actions.ts';
import { OPEN_ACCESS_RULE, bindRules, compilePolicies, userRules, type BoundRule } from './compile.ts';
import { evaluate, targetOf, type Decision } from './evaluate.ts';
import { conditionInput, type PolicyRequest } from './input.ts';

export type PolicyConfigPart = Pick<GatewayConfig, 'users' | 'openAccess' | 'groups' | 'policies'>;

export class PolicyEngine {
  private readonly rules = new Map<string, BoundRule[]>();
  private readonly groups = new Map<string, string[]>();
  private readonly anonymous: BoundRule[];

  constructor(config: PolicyConfigPart) {
    const policies = compilePolicies(config.policies ?? []);
    const groups = new Map((config.groups ?? []).map((g) => [g.name, g]));
    for (const u of config.users) {
      const principal = { name: u.name, groups: u.groups ?? [] };
      this.groups.set(u.name, principal.groups);
      this.rules.set(u.name, bindRules(userRules(u, groups, policies), principal));
    }
    this.anonymous = config.openAccess ? bindRules([OPEN_ACCESS_RULE], { name: '', groups: [] }) : [];
  }

  /** A configured user's groups ([] for anyone else). */
  groupsOf(name: string | undefined): string[] {
    return (name !== undefined && this.groups.get(name)) || [];
  }

  /** `principal.name` '' is anonymous; an unknown name has no rules, so it is denied. */
  decide(principal: PrincipalDocument, req: PolicyRequest, now: Date): Decision {
    const rules = principal.name === '' ? this.anonymous : (this.rules.get(principal.name) ?? []);
    const input = () => conditionInput(req, OPERATIONS[req.operation]?.action ?? '', principal, now);
    return evaluate(rules, targetOf(req.operation, req.bucket, req.key, req.prefix), req.operation, input);
  }
}
