// Policies compiled once at config load: each rule's actions matcher and CEL condition, then the
// rules of each principal with its templates filled in, so that a request only runs matchers.
import type { BucketConfig, GroupConfig, PolicyConfig, UserConfig } from '../../core/config/types.ts';
import type { Glob } from '../../core/glob.ts';
import { compileCondition, type Condition } from '../../core/policy/condition.ts';
import { compileActions, type ActionMatcher } from './actions.ts';
import { bindResources, type TemplatePrincipal } from './resources.ts';

/** Where a rule is written: what explanations and the audit name. */
export interface RuleRef {
  policy: string;
  index: number;
}

export interface CompiledRule extends RuleRef {
  effect: 'allow' | 'deny';
  actions: ActionMatcher;
  /** Resource templates, bound per principal. */
  resources: readonly string[];
  when?: Condition;
}

export interface BoundRule extends Omit<CompiledRule, 'resources'> {
  resources: Glob[];
  /** The rule's place, made once: every decision's explanation points at it. */
  ref: RuleRef;
}

export function compilePolicies(policies: readonly PolicyConfig[]): Map<string, CompiledRule[]> {
  return new Map(policies.map((p) => [p.name, p.rules.map((r, index) => {
    let when: Condition | undefined;
    if (r.when !== undefined) {
      const compiled = compileCondition(r.when);
      // The config loader reports these with their place; a config built in code may not have been loaded.
      if (!compiled.ok) throw new Error(`policy ${p.name} rule ${index}: ${compiled.problems.map((x) => x.message).join('; ')}`);
      when = compiled.condition;
    }
    return { policy: p.name, index, effect: r.effect, actions: compileActions(r.actions), resources: r.resources, ...(when && { when }) };
  })]));
}

/** The interim `buckets:` grant as a rule: every action the table knows, on those buckets and their keys. */
export function shorthandRule(user: UserConfig): CompiledRule | undefined {
  if (user.buckets === undefined) return undefined;
  const globs = user.buckets === '*' ? ['*'] : user.buckets;
  return {
    policy: `(buckets of ${user.name})`,
    index: 0,
    effect: 'allow',
    actions: compileActions(['*']),
    resources: globs.flatMap((g) => (g === '*' ? [g] : [g, `${g}/*`])),
  };
}

/** `open_access: true`: anonymous requests may do what the table knows, anywhere. */
export const OPEN_ACCESS_RULE: CompiledRule = { policy: '(open_access)', index: 0, effect: 'allow', actions: compileActions(['*']), resources: ['*'] };

/** What anonymous clients may do in a public bucket or under its public prefixes: read keys, list inside them. */
const PUBLIC_ACTIONS = compileActions(['GetObject', 'HeadObject', 'ListObjects', 'ListObjectsV2']);

/**
 * The buckets' `public` and `public_prefixes` as the anonymous principal's rules, one per bucket. A prefix
 * is literal (the config refuses `*`): `releases/` covers `releases/…`, and a listing must stay inside it.
 */
export function publicRules(buckets: readonly BucketConfig[]): CompiledRule[] {
  return buckets.flatMap((b): CompiledRule[] => {
    const prefixes = b.public ? [''] : (b.publicPrefixes ?? []);
    if (prefixes.length === 0) return [];
    return [{ policy: `(public of ${b.name})`, index: 0, effect: 'allow', actions: PUBLIC_ACTIONS, resources: prefixes.map((p) => `${b.name}/${p}*`) }];
  });
}

/** A user's rules: its own policies, its groups' (each policy once), then the shorthand. */
export function userRules(user: UserConfig, groups: ReadonlyMap<string, GroupConfig>, policies: ReadonlyMap<string, CompiledRule[]>): CompiledRule[] {
  const names = new Set([...(user.policies ?? []), ...(user.groups ?? []).flatMap((g) => groups.get(g)?.policies ?? [])]);
  const shorthand = shorthandRule(user);
  return [...[...names].flatMap((n) => policies.get(n) ?? []), ...(shorthand ? [shorthand] : [])];
}

export function bindRules(rules: readonly CompiledRule[], principal: TemplatePrincipal): BoundRule[] {
  return rules.map((r) => ({ ...r, resources: bindResources(r.resources, principal), ref: { policy: r.policy, index: r.index } }));
}
