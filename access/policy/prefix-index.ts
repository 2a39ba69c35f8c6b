// Which of a principal's rules (those about one operation) can apply to one resource string: a glob
// matches only strings that start with its literal prefix (Glob.prefix), so a rule none of whose
// prefixes begins the resource fails on it and need not be tried. The prefixes that begin a resource
// all begin the longest of them, so that one names the candidates: worked out once per prefix, on
// first use (the prefixes come from the config, not from clients). The candidates keep the rules'
// order, and only rules that could not match are left out: verdict() over them decides as over all.
import type { BoundRule } from './compile.ts';

export class PrefixIndex {
  private readonly prefixes: ReadonlySet<string>;
  /** The prefixes' distinct lengths, longest first. */
  private readonly lengths: readonly number[];
  private readonly byPrefix = new Map<string, readonly BoundRule[]>();

  constructor(readonly rules: readonly BoundRule[]) {
    this.prefixes = new Set(rules.flatMap((r) => r.resources.map((g) => g.prefix)));
    this.lengths = [...new Set([...this.prefixes].map((p) => p.length))].sort((a, b) => b - a);
  }

  /** The rules, in order, with a glob whose prefix begins `resource`. */
  candidates(resource: string): readonly BoundRule[] {
    for (const n of this.lengths) {
      if (n > resource.length) continue;
      const prefix = resource.slice(0, n);
      if (this.prefixes.has(prefix)) return this.under(prefix);
    }
    return [];
  }

  private under(longest: string): readonly BoundRule[] {
    let rules = this.byPrefix.get(longest);
    if (!rules) this.byPrefix.set(longest, (rules = this.rules.filter((r) => r.resources.some((g) => longest.startsWith(g.prefix)))));
    return rules;
  }
}
