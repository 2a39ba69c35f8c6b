// The POST Object policy document: decoded and validated as versitygw does (auth/post_policy.go,
// messages from s3err/post-object.go), with each condition's place in the text kept so the gateway
// can rewrite the conditions on the fields it changes and leave the rest byte for byte.
import { S3Error } from '../errors.ts';

export interface Span {
  start: number;
  end: number;
}

interface ConditionBase {
  /** The condition as AWS echoes it in "Policy Condition failed" messages. */
  text: string;
  /** Where the condition is in PostPolicy.text. */
  span: Span;
}

export type PolicyCondition =
  | (ConditionBase & { op: 'eq' | 'starts-with'; /** lower-case, without "$" */ field: string; value: string })
  | (ConditionBase & { op: 'content-length-range'; min: bigint; max: bigint });

export interface PostPolicy {
  /** The decoded JSON document. */
  text: string;
  conditions: PolicyCondition[];
}

const invalidPolicy = (detail: string) => new S3Error('InvalidPolicyDocument', 400, `Invalid Policy: ${detail}`);
const invalidJson = () => invalidPolicy('Invalid JSON.');
const deniedByPolicy = (detail: string) =>
  new S3Error('AccessDenied', 403, `Invalid according to Policy: ${detail}`);

export const policyExpired = () => deniedByPolicy('Policy expired.');
export const conditionFailed = (condition: string) => deniedByPolicy(`Policy Condition failed: ${condition}`);

/** Standard base64, padded or not, as Go's decoders accept it (which skip CR and LF). */
function decodeBase64(encoded: string): Buffer {
  const s = encoded.trim();
  if (s === '') throw invalidPolicy("Expecting '{' but found End-of-Input");
  const m = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(s.replace(/[\r\n]/g, ''));
  const rest = (m?.[1]?.length ?? 0) % 4;
  const padding = m?.[2]?.length ?? 0;
  const valid = m !== null && rest !== 1 && (padding === 0 || padding === 4 - rest);
  if (!valid) throw invalidPolicy('invalid Base64 encoding.');
  return Buffer.from(m[1]!, 'base64');
}

function utf8Text(bytes: Buffer): string {
  try {
    // A BOM stays in the text and fails JSON.parse, as it fails Go's decoder.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalidJson();
  }
}

// Span scanning over text already checked by JSON.parse, so no error handling is needed here.
function skipSpace(t: string, i: number): number {
  while (i < t.length && ' \t\r\n'.includes(t[i]!)) i++;
  return i;
}

function valueEnd(t: string, i: number): number {
  const c = t[i];
  if (c === '"') {
    for (i++; t[i] !== '"'; i += t[i] === '\\' ? 2 : 1);
    return i + 1;
  }
  if (c === '{' || c === '[') {
    for (let depth = 0; ; i++) {
      const ch = t[i];
      if (ch === '"') i = valueEnd(t, i) - 1;
      else if (ch === '{' || ch === '[') depth++;
      else if ((ch === '}' || ch === ']') && --depth === 0) return i + 1;
    }
  }
  while (i < t.length && !',]} \t\r\n'.includes(t[i]!)) i++;
  return i;
}

/** Elements of an array, or alternately keys and values of an object. */
function items(t: string, container: Span): Span[] {
  const out: Span[] = [];
  for (let i = skipSpace(t, container.start + 1); !']}'.includes(t[i]!); ) {
    const end = valueEnd(t, i);
    out.push({ start: i, end });
    i = skipSpace(t, end);
    if (t[i] === ',' || t[i] === ':') i = skipSpace(t, i + 1);
  }
  return out;
}

const slice = (t: string, s: Span) => t.slice(s.start, s.end);

/** What Go's json.Unmarshal into a string yields: null leaves it empty, other kinds fail. */
function goString(raw: string): string | undefined {
  if (raw === 'null') return '';
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : undefined;
}

/** RFC 3339 as Go's time.Parse reads it: upper-case T and Z, optional fraction, real calendar values. */
function parseExpiration(value: string): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:Z|([+-])(\d\d):(\d\d))$/.exec(value);
  const invalid = () => invalidPolicy(`Invalid 'expiration' value: '${value}'`);
  if (m === null) throw invalid();
  const [y, mo, d, h, mi, s, oh, om] = [1, 2, 3, 4, 5, 6, 9, 10].map((i) => Number(m[i] ?? 0)) as [
    number, number, number, number, number, number, number, number,
  ];
  const ms = Number((m[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const time = new Date(0);
  time.setUTCFullYear(y, mo - 1, d); // Date.UTC would read years 0-99 as 19xx
  time.setUTCHours(h, mi, s, ms);
  if (time.getUTCMonth() !== mo - 1 || time.getUTCDate() !== d || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) {
    throw invalid();
  }
  return new Date(time.getTime() - (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000);
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/** A content-length-range bound: an integer as a JSON number or a decimal string. */
function int64(raw: string): bigint {
  const s = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  const n = /^[+-]?\d+$/.test(s) ? BigInt(s) : undefined;
  if (n === undefined || n < INT64.min || n > INT64.max) throw invalidJson();
  return n;
}

function parseCondition(t: string, span: Span): PolicyCondition {
  const raw = slice(t, span);
  if (raw.startsWith('{')) {
    // {"field": "value"}: an "eq" that AWS echoes in array form, value unescaped.
    const entries = Object.entries(JSON.parse(raw) as Record<string, unknown>);
    if (entries.length !== 1) throw invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [name, value] = entries[0]!;
    if (typeof value !== 'string') throw invalidPolicy('Invalid Simple-Condition: value must be a string.');
    const field = name.toLowerCase();
    return { op: 'eq', field, value, text: `["eq", "$${field}", "${value}"]`, span };
  }
  if (!raw.startsWith('[') && raw !== 'null') throw invalidPolicy('Invalid condition test: must be a List or Object.');
  const args = raw === 'null' ? [] : items(t, span).map((s) => slice(t, s));
  if (args.length === 0) throw invalidPolicy('Invalid Condition: missing operation identifier.');
  const op = goString(args[0]!);
  if (op === undefined) throw invalidJson();
  if (op !== 'eq' && op !== 'starts-with' && op !== 'content-length-range') {
    throw invalidPolicy(`Invalid Condition: unknown operation '${op}'.`);
  }
  if (args.length !== 3) throw invalidPolicy(`Invalid ${op}: wrong number of arguments.`);
  if (op === 'content-length-range') return { op, min: int64(args[1]!), max: int64(args[2]!), text: raw, span };
  const ref = goString(args[1]!);
  const value = args[2]!.startsWith('"') ? goString(args[2]!) : /^[-\d]/.test(args[2]!) ? args[2] : undefined;
  if (ref === undefined || value === undefined) throw invalidJson();
  if (!ref.startsWith('$') || ref.length === 1) throw conditionFailed(raw);
  return { op, field: ref.slice(1).toLowerCase(), value, text: raw, span };
}

/** The top-level members by name; a repeated name is refused (see decodePostPolicy). */
function members(t: string, root: Span): Map<string, Span> {
  const out = new Map<string, Span>();
  const spans = items(t, root);
  for (let i = 0; i < spans.length; i += 2) {
    const name = JSON.parse(slice(t, spans[i]!)) as string;
    if (out.has(name)) throw invalidJson();
    out.set(name, spans[i + 1]!);
  }
  return out;
}

/**
 * The policy of a POST form, checked in versitygw's order: base64, JSON, expiration and conditions
 * present, their types, unexpected members, expiration format, each condition, expiry, then
 * conditions on a blank field. Go keeps the last of repeated members; the gateway refuses them,
 * since a backend keeping the first would see conditions the gateway never rewrote.
 */
export function decodePostPolicy(policyBase64: string, now: Date): PostPolicy {
  const text = utf8Text(decodeBase64(policyBase64));
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    throw invalidJson();
  }
  if (root !== null && (typeof root !== 'object' || Array.isArray(root))) throw invalidJson();
  const start = skipSpace(text, 0);
  const top = root === null ? new Map<string, Span>() : members(text, { start, end: valueEnd(text, start) });
  const expiration = top.get('expiration');
  const conditions = top.get('conditions');
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  for (const [name, span] of top) {
    const raw = slice(text, span);
    if (name === 'conditions' && !raw.startsWith('[') && raw !== 'null') {
      throw invalidPolicy("Invalid 'conditions' value: must be a List.");
    }
    if (name === 'expiration' && goString(raw) === undefined) throw invalidJson();
    if (name !== 'conditions' && name !== 'expiration') throw invalidPolicy(`Unexpected: ${JSON.stringify(name)}`);
  }
  const expires = parseExpiration(goString(slice(text, expiration))!);
  const list = slice(text, conditions) === 'null' ? [] : items(text, conditions);
  const parsed = list.map((span) => parseCondition(text, span));
  if (expires < now) throw policyExpired();
  const blank = parsed.find((c) => c.op !== 'content-length-range' && c.field.trim() === '');
  if (blank) throw conditionFailed(blank.text);
  return { text, conditions: parsed };
}

/**
 * Whether a form value satisfies an eq or starts-with condition (undefined: the field is absent).
 * content-length-range is not judged here: only the backend counts the file's bytes.
 */
export function conditionHolds(c: PolicyCondition, value: string | undefined): boolean {
  if (c.op === 'content-length-range') return true;
  if (value === undefined) return false;
  if (c.op === 'eq') return value === c.value;
  // AWS reads a Content-Type with commas as a list whose every entry must match.
  const values = c.field === 'content-type' && value.includes(',') ? value.split(',').map((v) => v.trim()) : [value];
  return values.every((v) => v.startsWith(c.value));
}

/**
 * The policy text with every condition on a replaced field turned into an "eq" on the new value.
 * A condition the client's own value fails is refused here, with the backend's error, rather than
 * re-pointed: otherwise a policy naming the real bucket would pass when posted through an alias.
 */
export function rewritePolicy(
  policy: PostPolicy,
  replacements: Map<string, { clientValue: string | undefined; newValue: string }>,
): string {
  let out = '';
  let from = 0;
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') continue;
    const r = replacements.get(c.field);
    if (r === undefined) continue;
    if (!conditionHolds(c, r.clientValue)) throw conditionFailed(c.text);
    out += policy.text.slice(from, c.span.start) + JSON.stringify(['eq', `$${c.field}`, r.newValue]);
    from = c.span.end;
  }
  return out + policy.text.slice(from);
}
