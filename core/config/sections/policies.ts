// `policies`: named lists of rules {effect, actions, resources, when}, attached to users and groups.
// The model is plain data (it crosses to the services workers); the policy engine in access/policy/
// compiles it. Here every rule is checked the way the engine will read it, so that a broken policy
// stops the load (and `config lint`) with the policy's name, the rule's index and the position.
import { ACTION_CLASSES, OPERATIONS, isUnknownOperationName } from '../../s3/actions.ts';
import { compileCondition } from '../../policy/condition.ts';
import type { Section } from './section.ts';

export interface RawPolicies {
  policies?: RawPolicy[];
}

export interface RawPolicy {
  name: string;
  rules: RawRule[];
}

export interface RawRule {
  effect: 'allow' | 'deny';
  actions: string[];
  resources: string[];
  when?: string;
}

export interface RuleConfig {
  effect: 'allow' | 'deny';
  /** Action classes, '*', or operation names. */
  actions: string[];
  /** Globs over `bucket` and `bucket/key`, with ${principal.name} / ${principal.groups} templates. */
  resources: string[];
  /** A CEL condition over the input document. */
  when?: string;
}

export interface PolicyConfig {
  name: string;
  rules: RuleConfig[];
}

/** The templates a resource may hold. */
export const RESOURCE_TEMPLATES = ['${principal.name}', '${principal.groups}'] as const;

// Optional in the model (absent when the YAML has none), so configs built in code need not name it.
export const policies: Section<RawPolicies, { policies?: PolicyConfig[] }> = {
  properties: {
    policies: { type: 'array', items: { $ref: '#/$defs/policy' } },
  },
  defs: {
    policy: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'rules'],
      properties: {
        name: { $ref: '#/$defs/name' },
        rules: { type: 'array', minItems: 1, items: { $ref: '#/$defs/rule' } },
      },
    },
    rule: {
      type: 'object',
      additionalProperties: false,
      required: ['effect', 'actions', 'resources'],
      properties: {
        effect: { enum: ['allow', 'deny'] },
        actions: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', minLength: 1, description: 'an action class (read, write, delete, list, admin), * or an S3 operation name' },
        },
        resources: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^[^\\s]+$', description: 'a resource glob such as bucket, bucket/* or bucket/prefix/*' },
        },
        when: { type: 'string', minLength: 1, description: 'a CEL condition' },
      },
    },
  },

  toModel(raw) {
    if (raw.policies === undefined) return {};
    return {
      policies: raw.policies.map((p) => ({
        name: p.name,
        rules: p.rules.map((r) => ({
          effect: r.effect,
          actions: [...r.actions],
          resources: [...r.resources],
          ...(r.when !== undefined && { when: r.when }),
        })),
      })),
    };
  },

  *check(raw) {
    const names = new Set<string>();
    for (const [p, policy] of (raw.policies ?? []).entries()) {
      if (names.has(policy.name)) yield { path: `/policies/${p}/name`, message: `duplicate policy name ${policy.name}` };
      names.add(policy.name);
      for (const [r, rule] of policy.rules.entries()) {
        const at = `/policies/${p}/rules/${r}`;
        const where = `policy ${policy.name} rule ${r}`;
        for (const [a, action] of rule.actions.entries()) {
          if (!isKnownAction(action)) {
            yield { path: `${at}/actions/${a}`, message: `${where}: unknown action ${action}; expected ${ACTION_CLASSES.join(', ')}, * or an S3 operation name such as GetObject` };
          }
        }
        for (const [i, resource] of rule.resources.entries()) {
          const problem = resourceProblem(resource);
          if (problem) yield { path: `${at}/resources/${i}`, message: `${where}: ${problem}` };
        }
        if (rule.when === undefined) continue;
        const compiled = compileCondition(rule.when);
        if (compiled.ok) continue;
        for (const { message, position } of compiled.problems) {
          yield { path: `${at}/when`, message: `${where}: when, line ${position.line} column ${position.column}: ${message}` };
        }
      }
    }
  },
};

export function isKnownAction(action: string): boolean {
  return action === '*' || (ACTION_CLASSES as readonly string[]).includes(action) || action in OPERATIONS || isUnknownOperationName(action);
}

/** Why a resource glob is not one the engine reads: a template it does not know, or no bucket part. */
function resourceProblem(resource: string): string | undefined {
  const rest = RESOURCE_TEMPLATES.reduce((s, t) => s.replaceAll(t, 'x'), resource);
  if (rest.includes('${')) return `resource ${resource}: the only templates are ${RESOURCE_TEMPLATES.join(' and ')}`;
  if (rest.startsWith('/')) return `resource ${resource} must start with a bucket name or glob`;
  return undefined;
}
