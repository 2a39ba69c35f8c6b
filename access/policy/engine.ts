// The policy engine as AccessControl holds it: built once from the config (every user's rules bound
// to its name and groups), then one pure decision per request.
import type { GatewayConfig } from '../../core/config/types.ts';
import type { CelDocument } from '../../core/policy/cel-document.ts';
import type { PrincipalDocument } from '../../core/policy/input-document.ts';
import { OPERATIONS } from '../../core/s3/actions.ts';
import { OPEN_ACCESS_RULE, bindRules, compilePolicies, publicRules, userRules, type BoundRule } from './compile.ts';
import { evaluate, targetOf, verdict, type Decision, type Verdict } from './evaluate.ts';
import { listingVerdict, type ListingVerdict } from './listing.ts';
import { conditionDocument, type PolicyRequest } from './input.ts';
import type { ResourceTarget } from './resources.ts';
import { RuleSet } from './rule-set.ts';

/** `buckets` only for their public prefixes: a config without them has none. */
export type PolicyConfigPart = Pick<GatewayConfig, 'users' | 'openAccess' | 'groups' | 'policies'> & Partial<Pick<GatewayConfig, 'buckets'>>;

export class PolicyEngine {
  private readonly rules = new Map<string, RuleSet>();
  private readonly groups = new Map<string, string[]>();
  private readonly anonymous: RuleSet;

  constructor(config: PolicyConfigPart) {
    const policies = compilePolicies(config.policies ?? []);
    const groups = new Map((config.groups ?? []).map((g) => [g.name, g]));
    for (const u of config.users) {
      const principal = { name: u.name, groups: u.groups ?? [] };
      this.groups.set(u.name, principal.groups);
      this.rules.set(u.name, new RuleSet(bindRules(userRules(u, groups, policies), principal)));
    }
    // Anonymous requests: open_access, then the buckets' public prefixes; no rule (denied) when neither is set.
    this.anonymous = new RuleSet(bindRules([...(config.openAccess ? [OPEN_ACCESS_RULE] : []), ...publicRules(config.buckets ?? [])], { name: '', groups: [] }));
  }

  /** A configured user's groups ([] for anyone else). */
  groupsOf(name: string | undefined): string[] {
    return (name !== undefined && this.groups.get(name)) || [];
  }

  /** The decision with every rule's outcome. `principal.name` '' is anonymous; an unknown name has no rules, so it is denied. */
  decide(principal: PrincipalDocument, req: PolicyRequest, now: Date): Decision {
    return this.run((rules) => rules.all, evaluate, principal, req, now);
  }

  /** The same verdict as decide() without the explanation: what requests need, at less cost. */
  verdict(principal: PrincipalDocument, req: PolicyRequest, now: Date): Verdict {
    return this.run((rules, target) => rules.applicable(req.operation, target), verdict, principal, req, now);
  }

  /** A listing's verdict: whole, filtered (ext_proc leaves out what may not be read) or none. */
  listing(principal: PrincipalDocument, req: PolicyRequest, now: Date): ListingVerdict {
    return this.run((rules) => rules.about(req.operation), listingVerdict, principal, req, now);
  }

  private run<T>(
    which: (rules: RuleSet, target: ResourceTarget) => readonly BoundRule[],
    how: (rules: readonly BoundRule[], target: ResourceTarget, operation: string, input: () => CelDocument) => T,
    principal: PrincipalDocument,
    req: PolicyRequest,
    now: Date,
  ): T {
    const set = principal.name === '' ? this.anonymous : this.rules.get(principal.name);
    const target = targetOf(req.operation, req.bucket, req.key, req.prefix);
    const rules = set ? which(set, target) : [];
    // Made on the first condition that runs (most rules have none, or fail earlier), then shared.
    const input = once(() => conditionDocument(req, OPERATIONS[req.operation]?.action ?? '', principal, now));
    return how(rules, target, req.operation, input);
  }
}

function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}
