// `groups`: named sets of policies that users join (`users[].groups`).
import type { RawPolicies } from './policies.ts';
import type { Section } from './section.ts';

export interface RawGroups {
  groups?: { name: string; policies?: string[] }[];
}

export interface GroupConfig {
  name: string;
  policies: string[];
}

export const groups: Section<RawGroups & RawPolicies, { groups?: GroupConfig[] }> = {
  properties: {
    groups: { type: 'array', items: { $ref: '#/$defs/group' } },
  },
  defs: {
    group: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { $ref: '#/$defs/name' },
        policies: { type: 'array', uniqueItems: true, items: { $ref: '#/$defs/name' } },
      },
    },
  },

  toModel(raw) {
    return raw.groups === undefined ? {} : { groups: raw.groups.map((g) => ({ name: g.name, policies: [...(g.policies ?? [])] })) };
  },

  *check(raw) {
    const policies = new Set((raw.policies ?? []).map((p) => p.name));
    const names = new Set<string>();
    for (const [g, group] of (raw.groups ?? []).entries()) {
      if (names.has(group.name)) yield { path: `/groups/${g}/name`, message: `duplicate group name ${group.name}` };
      names.add(group.name);
      yield* unknownReferences(`/groups/${g}/policies`, `group ${group.name}`, 'policy', group.policies ?? [], policies);
    }
  },
};

/** One problem per name in `refs` that `known` lacks: "user alice: unknown policy own-hom". */
export function* unknownReferences(path: string, owner: string, kind: string, refs: readonly string[], known: ReadonlySet<string>) {
  for (const [i, name] of refs.entries()) {
    if (!known.has(name)) yield { path: `${path}/${i}`, message: `${owner}: unknown ${kind} ${name}` };
  }
}
