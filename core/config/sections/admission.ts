// `admission`: rules tried in order before anyone is authenticated (block a network, freeze a bucket,
// admit anonymous requests). The model is plain data (it crosses to the services workers); access/
// compiles it once. Here every CIDR and every reject's status is checked, so a broken rule stops the load.
import { parseCidr } from '../../cidr.ts';
import { CODE_OF_STATUS, type RejectStatus } from '../../errors.ts';
import type { Section } from './section.ts';

export const ADMISSION_ACTIONS = ['allow-anonymous', 'deny', 'reject', 'continue'] as const;
export type AdmissionAction = (typeof ADMISSION_ACTIONS)[number];

export interface RawAdmission {
  admission?: RawAdmissionRule[];
}

interface RawAdmissionRule {
  name?: string;
  match?: { method?: string | string[]; source_ip_list?: string[]; bucket?: string; path?: string; authenticated?: boolean };
  action: AdmissionAction;
  status?: number;
  message?: string;
}

/** What a rule matches on; every field given must match (an empty match matches every request). */
export interface AdmissionMatch {
  /** Upper case. */
  methods?: string[];
  /** CIDRs (or bare addresses), IPv4 and IPv6. */
  sourceIpList?: string[];
  /** A glob over the client's bucket name; a request without a bucket (ListBuckets) never matches. */
  bucket?: string;
  /** A glob over `/bucket/key` (decoded, whatever the addressing style; `/bucket` for bucket-level requests, `/` for the service). */
  path?: string;
  /** Whether the request carries credentials (a header or query signature, or a POST form). */
  authenticated?: boolean;
}

export type AdmissionRuleConfig = { name?: string; match: AdmissionMatch } & (
  | { action: Exclude<AdmissionAction, 'reject'> }
  | { action: 'reject'; status: RejectStatus; message: string }
);

const REJECT_STATUSES = Object.keys(CODE_OF_STATUS).map(Number);

const method = { type: 'string', pattern: '^[A-Za-z]+$', description: 'an HTTP method such as PUT' };

// Optional in the model (absent when the YAML has none), so configs built in code need not name it.
export const admission: Section<RawAdmission, { admission?: AdmissionRuleConfig[] }> = {
  properties: {
    admission: { type: 'array', items: { $ref: '#/$defs/admissionRule' } },
  },
  defs: {
    admissionRule: {
      type: 'object',
      additionalProperties: false,
      required: ['action'],
      properties: {
        name: { $ref: '#/$defs/name' },
        match: {
          type: 'object',
          additionalProperties: false,
          properties: {
            method: { description: 'an HTTP method or a list of them', anyOf: [method, { type: 'array', minItems: 1, items: method }] },
            source_ip_list: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1, description: 'a CIDR such as 203.0.113.0/24' } },
            bucket: { type: 'string', minLength: 1, description: 'a bucket name or glob such as logs-*' },
            path: { type: 'string', pattern: '^[/*]', description: 'a glob over /bucket/key such as /builds/releases/*' },
            authenticated: { type: 'boolean' },
          },
        },
        action: { enum: [...ADMISSION_ACTIONS] },
        status: { enum: REJECT_STATUSES },
        message: { type: 'string', minLength: 1, description: 'the message of the S3 error' },
      },
    },
  },

  toModel(raw) {
    if (raw.admission === undefined) return {};
    return { admission: raw.admission.map(toRule) };
  },

  *check(raw) {
    const names = new Set<string>();
    for (const [i, rule] of (raw.admission ?? []).entries()) {
      const at = `/admission/${i}`;
      const where = `admission rule ${rule.name ?? i}`;
      if (rule.name !== undefined) {
        if (names.has(rule.name)) yield { path: `${at}/name`, message: `duplicate admission rule name ${rule.name}` };
        names.add(rule.name);
      }
      for (const [c, cidr] of (rule.match?.source_ip_list ?? []).entries()) {
        if (!parseCidr(cidr)) yield { path: `${at}/match/source_ip_list/${c}`, message: `${where}: ${cidr} is not a CIDR (such as 10.0.0.0/8 or 2001:db8::/32)` };
      }
      const rejects = rule.action === 'reject';
      for (const key of ['status', 'message'] as const) {
        if (rejects && rule[key] === undefined) yield { path: at, message: `${where}: reject needs ${key}` };
        if (!rejects && rule[key] !== undefined) yield { path: `${at}/${key}`, message: `${where}: ${key} belongs to reject only` };
      }
    }
  },
};

function toRule(r: RawAdmissionRule): AdmissionRuleConfig {
  const m = r.match ?? {};
  const match: AdmissionMatch = {
    ...(m.method !== undefined && { methods: (Array.isArray(m.method) ? m.method : [m.method]).map((x) => x.toUpperCase()) }),
    ...(m.source_ip_list !== undefined && { sourceIpList: [...m.source_ip_list] }),
    ...(m.bucket !== undefined && { bucket: m.bucket }),
    ...(m.path !== undefined && { path: m.path }),
    ...(m.authenticated !== undefined && { authenticated: m.authenticated }),
  };
  const named = { ...(r.name !== undefined && { name: r.name }), match };
  // check() has made sure a reject has both.
  if (r.action === 'reject') return { ...named, action: 'reject', status: r.status as RejectStatus, message: r.message! };
  return { ...named, action: r.action };
}
