// Checks the schema cannot express (cross-references, uniqueness across lists, readable files), each
// done by the section it concerns. Runs only on a document that already passed the schema.
import type { ConfigProblem } from './problem.ts';
import { SECTIONS, type RawConfig } from './sections/index.ts';

export function checkSemantics(raw: RawConfig, baseDir: string): ConfigProblem[] {
  const ctx = { baseDir };
  return SECTIONS.flatMap((s) => [...(s.check?.(raw, ctx) ?? [])]);
}
