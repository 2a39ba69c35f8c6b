// Globs of policy resources and of `matchesGlob()` in conditions: `*` is any run of characters
// (including '/', as in IAM resource ARNs: `bucket/team-a/*` covers nested keys), every other
// character is literal. Besides matching one string, a policy must know whether a glob can match
// some key under a prefix (a deny rule touches a listing) or every one (an allow rule covers it).

export interface Glob {
  readonly source: string;
  /** What comes before the first `*` (all of it without one): every string it matches starts with this. */
  readonly prefix: string;
  matches(text: string): boolean;
  /** Some string starting with `prefix` matches. */
  touches(prefix: string): boolean;
  /** Every string starting with `prefix` matches. */
  covers(prefix: string): boolean;
}

export function compileGlob(source: string): Glob {
  const parts = source.split('*');
  const re = new RegExp(`^${parts.map(escapeRegExp).join('.*')}$`, 's');
  return {
    source,
    prefix: parts[0]!,
    matches: (text) => re.test(text),
    touches: (prefix) => statesAfter(source, prefix).length > 0,
    covers: (prefix) => statesAfter(source, prefix).some((i) => /^\**$/.test(source.slice(i))),
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The positions in the pattern the text can end at, reading it through the pattern as an NFA: a
 * literal consumes its character; a '*' may consume any character (and stay) or be skipped.
 */
function statesAfter(pattern: string, text: string): number[] {
  const closure = (states: Set<number>): Set<number> => {
    for (const i of states) if (pattern[i] === '*') states.add(i + 1);
    return states;
  };
  let states = closure(new Set([0]));
  for (const ch of text) {
    const next = new Set<number>();
    for (const i of states) {
      if (pattern[i] === '*') next.add(i);
      else if (i < pattern.length && pattern.startsWith(ch, i)) next.add(i + ch.length);
    }
    states = closure(next);
    if (states.size === 0) return [];
  }
  return [...states];
}
