// A `policy test` cases file: YAML text to cases, or every problem with its place (`/cases/3/expect`,
// and its line). Checked by a JSON Schema (as the config is) and for what a schema cannot say (times,
// rule names); what needs the config (users, operations) is the probe's to say.
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigProblem } from '../../core/config/types.ts';
import { lineOf } from '../../core/config/locate.ts';
import { RFC3339 } from '../../core/config/sections/users.ts';
import { documentValidator } from '../../core/config/validate.ts';
import { AUTH_METHODS, type PrincipalSpec, type RequestSpec } from './probe.ts';

export interface PolicyCase {
  /** The case's `name`, or its place when it has none. */
  name: string;
  /** JSON pointer of the case in the file: `/cases/3`. */
  path: string;
  principal: PrincipalSpec;
  request: RequestSpec;
  /** The request's time (the case's, else the file's); absent: now. */
  time?: Date;
  expect: Outcome;
  /** The expected deciding rule: `policy[index]`, `admission:name` (`admission[index]` unnamed), or `none`. */
  rule?: string;
}

/** The gateway's answer as cases files spell it: `filtered` is a listing served with only what may be listed. */
export type Outcome = 'allow' | 'deny' | 'filtered';

export interface CasesFile {
  cases: PolicyCase[];
  /** The line a pointer into the file names, for problems found later (against the config). */
  lineOf(pointer: string): number | undefined;
}

interface RawPrincipal {
  user: string;
  groups?: string[];
  auth_method?: (typeof AUTH_METHODS)[number];
  key_id?: string;
}

interface RawCase {
  name?: string;
  principal: string | RawPrincipal;
  /** The probe's request as YAML writes it (snake_case), with the case's time. */
  request: Omit<RequestSpec, 'sourceIp'> & { source_ip?: string; time?: string };
  expect: Outcome;
  rule?: string;
}

interface RawCases {
  time?: string;
  cases: RawCase[];
}

const text = { type: 'string' };
const time = { type: 'string', pattern: RFC3339, description: 'an RFC 3339 time with a zone, such as 2026-06-01T12:00:00Z' };

const CASES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['cases'],
  properties: {
    time,
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['principal', 'request', 'expect'],
        properties: {
          name: text,
          principal: {
            description: 'a user name, anonymous, or { user, groups, auth_method, key_id }',
            anyOf: [
              { type: 'string', minLength: 1 },
              {
                type: 'object',
                additionalProperties: false,
                required: ['user'],
                properties: {
                  user: { type: 'string', minLength: 1 },
                  groups: { type: 'array', items: text },
                  auth_method: { type: 'string', enum: AUTH_METHODS },
                  key_id: text,
                },
              },
            ],
          },
          request: {
            type: 'object',
            additionalProperties: false,
            required: ['operation'],
            properties: {
              operation: { type: 'string', minLength: 1 },
              bucket: text,
              key: text,
              prefix: text,
              delimiter: text,
              method: text,
              source_ip: text,
              headers: { type: 'object', additionalProperties: text },
              time,
              presigned: { type: 'boolean' },
            },
          },
          expect: { type: 'string', enum: ['allow', 'deny', 'filtered'] },
          rule: { type: 'string', pattern: '^(none|admission:.+|.+\\[\\d+\\])$', description: 'a rule as policy[index] (team-a-rw[0]), admission:name (admission[index] unnamed), or none' },
        },
      },
    },
  },
} as const;

const validate = documentValidator<RawCases>(CASES_SCHEMA);

/** `principal: anonymous` is the anonymous principal; a user named so is `{ user: anonymous }`. */
function principalOf(raw: RawCase['principal']): PrincipalSpec {
  if (typeof raw === 'string') return raw === 'anonymous' ? {} : { user: raw };
  return {
    user: raw.user,
    ...(raw.groups && { groups: raw.groups }),
    ...(raw.auth_method && { authMethod: raw.auth_method }),
    ...(raw.key_id !== undefined && { keyId: raw.key_id }),
  };
}

function requestOf(raw: RawCase['request']): RequestSpec {
  const { source_ip: sourceIp, time: _, ...rest } = raw;
  return { ...rest, ...(sourceIp !== undefined && { sourceIp }) };
}

function toCase(raw: RawCase, index: number, fileTime: string | undefined): PolicyCase {
  const when = raw.request.time ?? fileTime;
  return {
    name: raw.name ?? `case ${index + 1}`,
    path: `/cases/${index}`,
    principal: principalOf(raw.principal),
    request: requestOf(raw.request),
    ...(when !== undefined && { time: new Date(when) }),
    expect: raw.expect,
    ...(raw.rule !== undefined && { rule: raw.rule }),
  };
}

/** Times the pattern admits that are no time (month 13). */
function* badTimes(raw: RawCases): Iterable<ConfigProblem> {
  const times: Array<[string, string | undefined]> = [['/time', raw.time], ...raw.cases.map((c, i): [string, string | undefined] => [`/cases/${i}/request/time`, c.request.time])];
  for (const [path, value] of times) if (value !== undefined && Number.isNaN(Date.parse(value))) yield { path, message: 'is not a valid date and time' };
}

export function parseCases(source: string): { ok: true; file: CasesFile } | { ok: false; problems: ConfigProblem[] } {
  const lines = new LineCounter();
  // prettyErrors off: its code frame would quote the file's lines.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) return { ok: false, problems: doc.errors.map((e) => ({ path: '', message: `YAML: ${e.message.split('\n')[0]}`, line: lines.linePos(e.pos[0]).line })) };
  const locate = (pointer: string) => lineOf(doc, lines, pointer);
  const checked = validate(doc.toJS());
  const problems = checked.ok ? [...badTimes(checked.value)] : checked.problems;
  if (!checked.ok || problems.length > 0) return { ok: false, problems: problems.map((p) => ({ ...p, line: locate(p.path) })) };
  const file = checked.value;
  return { ok: true, file: { cases: file.cases.map((c, i) => toCase(c, i, file.time)), lineOf: locate } };
}
