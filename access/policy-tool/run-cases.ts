// `policy test`: every case of a file put to the probe, and the report — each mismatch with the
// decision's explanation, then a summary. Cases the config cannot answer (an unknown user or
// operation) are problems of the file, reported all at once with their lines, before any verdict.
import type { ConfigProblem } from '../../core/config/types.ts';
import type { CasesFile, PolicyCase } from './cases.ts';
import { decidingName, explainText, outcomeOf } from './explain.ts';
import type { PolicyProbe, ProbeField, Probed } from './probe.ts';

export interface CaseResult {
  case: PolicyCase;
  probed: Probed;
  /** What differs from the expectation; absent when the case passed. */
  mismatch?: string;
}

export type CasesRun = { ok: true; results: CaseResult[] } | { ok: false; problems: ConfigProblem[] };

/** Where a probe's field is written in a case. */
function pointerOf(c: PolicyCase, field: ProbeField): string {
  switch (field) {
    case 'user':
      return `${c.path}/principal`;
    case 'groups':
    case 'auth_method':
    case 'key_id':
      return `${c.path}/principal/${field}`;
    default:
      return `${c.path}/request/${field}`;
  }
}

function mismatchOf(c: PolicyCase, probed: Probed): string | undefined {
  const got = outcomeOf(probed);
  const rule = decidingName(probed);
  if (got !== c.expect) return `expected ${c.expect}, got ${got} (deciding rule: ${rule})`;
  if (c.rule !== undefined && c.rule !== rule) return `expected deciding rule ${c.rule}, got ${rule} (${got} as expected)`;
  return undefined;
}

export function runCases(file: CasesFile, probe: PolicyProbe, now: Date): CasesRun {
  const results: CaseResult[] = [];
  const problems: ConfigProblem[] = [];
  for (const c of file.cases) {
    const asked = probe.ask(c.principal, c.request, c.time ?? now);
    if (!asked.ok) {
      for (const p of asked.problems) {
        const path = pointerOf(c, p.field);
        problems.push({ path, message: p.message, line: file.lineOf(path) });
      }
      continue;
    }
    const mismatch = mismatchOf(c, asked.probed);
    results.push({ case: c, probed: asked.probed, ...(mismatch && { mismatch }) });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, results };
}

const indent = (text: string) => text.replace(/^/gm, '    ');

/** Every mismatch (place, name, what differs, the explanation), then `N cases: P passed, F failed`. */
export function casesReport(file: string, lineOf: CasesFile['lineOf'], results: readonly CaseResult[]): { text: string; failed: number } {
  const failed = results.filter((r) => r.mismatch !== undefined);
  const lines = failed.map((r) => {
    const line = lineOf(r.case.path);
    return `FAIL ${file}${line === undefined ? '' : `:${line}`} ${JSON.stringify(r.case.name)}: ${r.mismatch}\n${indent(explainText(r.probed))}`;
  });
  const summary = `${results.length} case${results.length === 1 ? '' : 's'}: ${results.length - failed.length} passed, ${failed.length} failed`;
  return { text: [...lines, summary].join('\n'), failed: failed.length };
}
