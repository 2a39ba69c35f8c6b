// Typed helpers for Envoy's header and Struct messages as @grpc/proto-loader presents them
// (keepCase field names, Struct values camelCase: `stringValue`).

export interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: Buffer;
}

export interface HeaderMap {
  headers?: HeaderValue[];
}

export interface HeaderValueOption {
  header: { key: string; raw_value: Buffer };
  append_action: 'OVERWRITE_IF_EXISTS_OR_ADD';
}

/** ext_proc sends values in raw_value (bytes); `value` is only a fallback. */
export function headerMapToRecord(map: HeaderMap | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of map?.headers ?? []) {
    const v = h.raw_value && h.raw_value.length > 0 ? h.raw_value.toString('utf8') : (h.value ?? '');
    // Repeated headers join with ',' as HTTP allows; S3 clients do not repeat signed headers.
    out[h.key] = h.key in out ? `${out[h.key]},${v}` : v;
  }
  return out;
}

export function setHeader(key: string, value: string): HeaderValueOption {
  return { header: { key, raw_value: Buffer.from(value, 'utf8') }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' };
}

export type StructValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { numberValue: number };

/** A flat google.protobuf.Struct of strings and booleans, the shape our metadata uses. */
export function toStruct(fields: Record<string, string | boolean | undefined>): { fields: Record<string, StructValue> } {
  const out: Record<string, StructValue> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'boolean' ? { boolValue: v } : { stringValue: v };
  }
  return { fields: out };
}

export function fromStruct(s: { fields?: Record<string, any> } | undefined): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) {
    if (v?.stringValue !== undefined) out[k] = v.stringValue;
    else if (v?.boolValue !== undefined) out[k] = v.boolValue;
  }
  return out;
}
