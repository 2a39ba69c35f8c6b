// Admission: the config's `admission` rules, tried in order before anyone is authenticated. The first
// matching rule whose action is not `continue` decides; when none does, the request goes on to
// authentication as if there were no rules. Globs and CIDRs are compiled once, at config load.
import type { AdmissionMatch, AdmissionRuleConfig } from '../core/config/types.ts';
import { parseCidr, type Cidr } from '../core/cidr.ts';
import { CODE_OF_STATUS, errors, S3Error } from '../core/errors.ts';
import { compileGlob } from '../core/glob.ts';

/** What admission knows of a request: nothing that needs a secret. */
export interface AdmissionRequest {
  method: string;
  /** The client's address as the gateway determined it ('' when unknown: no source_ip_list matches). */
  sourceIp: string;
  /** Absent for the service (ListBuckets). */
  bucket?: string;
  /** Decoded; '' for bucket-level requests. */
  key: string;
  /** Credentials are present (checked later): a header or query signature, or a POST form's. */
  authenticated: boolean;
}

/** Where a rule is written: its name when it has one, and its index. */
export interface AdmissionRuleRef {
  index: number;
  name?: string;
}

export type AdmissionVerdict =
  /** No rule decided: authenticate as usual. */
  | { action: 'continue' }
  /** Admitted; no later rule is tried. */
  | { action: 'allow-anonymous'; rule: AdmissionRuleRef }
  /** Refused with `error` (deny: 403 AccessDenied; reject: the rule's status and message). */
  | { action: 'deny' | 'reject'; rule: AdmissionRuleRef; error: S3Error };

type Matcher = (req: AdmissionRequest) => boolean;

interface CompiledRule {
  ref: AdmissionRuleRef;
  matches: Matcher;
  verdict: AdmissionVerdict;
}

export class Admission {
  private readonly rules: CompiledRule[];

  constructor(rules: readonly AdmissionRuleConfig[] = []) {
    this.rules = rules.map((r, index) => {
      const ref = { index, ...(r.name !== undefined && { name: r.name }) };
      return { ref, matches: compileMatch(r.match), verdict: verdictOf(r, ref) };
    });
  }

  decide(req: AdmissionRequest): AdmissionVerdict {
    for (const rule of this.rules) {
      if (rule.verdict.action !== 'continue' && rule.matches(req)) return rule.verdict;
    }
    return CONTINUE;
  }
}

const CONTINUE: AdmissionVerdict = { action: 'continue' };

function verdictOf(r: AdmissionRuleConfig, rule: AdmissionRuleRef): AdmissionVerdict {
  switch (r.action) {
    case 'continue':
      return CONTINUE;
    case 'allow-anonymous':
      return { action: r.action, rule };
    case 'deny':
      return { action: r.action, rule, error: errors.accessDenied() };
    case 'reject':
      return { action: r.action, rule, error: new S3Error(CODE_OF_STATUS[r.status], r.status, r.message) };
  }
}

/** Every field given must match; an empty match matches every request. */
export function compileMatch(m: AdmissionMatch): Matcher {
  const tests: Matcher[] = [];
  if (m.methods) {
    const methods = new Set(m.methods);
    tests.push((req) => methods.has(req.method.toUpperCase()));
  }
  if (m.sourceIpList) {
    const cidrs = m.sourceIpList.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== undefined);
    tests.push((req) => cidrs.some((c) => c.contains(req.sourceIp)));
  }
  if (m.bucket !== undefined) {
    const glob = compileGlob(m.bucket);
    tests.push((req) => req.bucket !== undefined && glob.matches(req.bucket));
  }
  if (m.path !== undefined) {
    const glob = compileGlob(m.path);
    tests.push((req) => glob.matches(pathOf(req)));
  }
  if (m.authenticated !== undefined) {
    const want = m.authenticated;
    tests.push((req) => req.authenticated === want);
  }
  return (req) => tests.every((t) => t(req));
}

/** `/bucket/key`; `/bucket` for bucket-level requests (as policy resources tell `bucket` from `bucket/*`), `/` for the service. */
function pathOf(req: AdmissionRequest): string {
  if (req.bucket === undefined) return '/';
  return req.key === '' ? `/${req.bucket}` : `/${req.bucket}/${req.key}`;
}
