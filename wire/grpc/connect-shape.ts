// Converts between @bufbuild/protobuf (protoc-gen-es v2) messages and the objects @grpc/proto-loader
// makes with protos/load.ts's options, so that handlers written against proto-loader's shape run on
// the connect-node stack unchanged. Driven by the message descriptors (one plan per message type,
// built once). proto-loader's shape (keepCase, longs: Number, enums: String, defaults: false,
// oneofs: true): proto field names; 64-bit integers as numbers; enums by name; bytes as Buffer;
// a proto3 scalar at its default value absent (it is absent on the wire); empty repeated and map
// fields absent; each set oneof named by its group (`request: 'request_headers'`); wrappers as
// `{ value }`; google.protobuf.Struct as `{ fields: { k: { stringValue, kind: 'stringValue' } } }`
// (protobufjs's own camelCase names). protobuf-es's shape: local (camelCase) names, oneofs as
// `{ case, value }`, 64-bit integers as bigint, enums as numbers, wrappers unboxed in singular
// fields, Struct as a JsonObject (except inside google.protobuf.Value).
import type { DescEnum, DescField, DescMessage, JsonObject, JsonValue } from '@bufbuild/protobuf';

// ScalarType numbers (a type-only import cannot name the enum's values).
const INT64_TYPES = new Set([3 /* INT64 */, 4 /* UINT64 */, 6 /* FIXED64 */, 16 /* SFIXED64 */, 18 /* SINT64 */]);
const BYTES = 12;
const IMPLICIT = 2; // FeatureSet.FieldPresence.IMPLICIT
const STRUCT = 'google.protobuf.Struct';
const VALUE = 'google.protobuf.Value';
const WRAPPERS = new Set(['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((t) => `google.protobuf.${t}Value`));

type Obj = Record<string, any>;

interface EnumNames { byNumber: Map<number, string>; byName: Map<string, number> }
const enumCache = new WeakMap<DescEnum, EnumNames>();
function enumNames(e: DescEnum): EnumNames {
  let names = enumCache.get(e);
  if (!names) {
    names = { byNumber: new Map(e.values.map((v) => [v.number, v.name])), byName: new Map(e.values.map((v) => [v.name, v.number])) };
    enumCache.set(e, names);
  }
  return names;
}

/** What a value of a field (or a list item, or a map value) is. */
type Kind =
  | { k: 'scalar'; type: number }
  | { k: 'enum'; desc: DescEnum }
  | { k: 'message'; desc: DescMessage };

function itemKind(f: DescField): Kind {
  switch (f.fieldKind) {
    case 'scalar': return { k: 'scalar', type: f.scalar };
    case 'enum': return { k: 'enum', desc: f.enum };
    case 'message': return { k: 'message', desc: f.message };
    case 'list':
      return f.listKind === 'scalar' ? { k: 'scalar', type: f.scalar } : f.listKind === 'enum' ? { k: 'enum', desc: f.enum } : { k: 'message', desc: f.message };
    case 'map':
      return f.mapKind === 'scalar' ? { k: 'scalar', type: f.scalar } : f.mapKind === 'enum' ? { k: 'enum', desc: f.enum } : { k: 'message', desc: f.message };
  }
}

interface FieldPlan {
  /** proto-loader's key (the proto name; protobufjs's camelCase inside google.protobuf.Value). */
  key: string;
  local: string;
  oneof?: { local: string; name: string };
  shape: 'single' | 'list' | 'map';
  kind: Kind;
  /** proto3 implicit presence: the default value is not on the wire, so proto-loader has no key. */
  implicit: boolean;
  /** protobuf-es unboxes a wrapper in a singular field outside a oneof. */
  unboxed: boolean;
  /** protobuf-es holds a Struct as a JsonObject (in any field but google.protobuf.Value's). */
  jsonStruct: boolean;
}

const planCache = new WeakMap<DescMessage, FieldPlan[]>();
function planOf(desc: DescMessage): FieldPlan[] {
  let plan = planCache.get(desc);
  if (plan) return plan;
  const inValue = desc.typeName === VALUE;
  plan = desc.fields.map((f): FieldPlan => {
    const kind = itemKind(f);
    const msgName = kind.k === 'message' ? kind.desc.typeName : '';
    return {
      key: inValue ? f.jsonName : f.name,
      local: f.localName,
      oneof: f.oneof ? { local: f.oneof.localName, name: f.oneof.name } : undefined,
      shape: f.fieldKind === 'list' ? 'list' : f.fieldKind === 'map' ? 'map' : 'single',
      kind,
      implicit: f.presence === IMPLICIT && !f.oneof && (f.fieldKind === 'scalar' || f.fieldKind === 'enum'),
      unboxed: f.fieldKind === 'message' && !f.oneof && WRAPPERS.has(msgName),
      jsonStruct: msgName === STRUCT && !inValue,
    };
  });
  planCache.set(desc, plan);
  return plan;
}

const isDefault = (v: unknown): boolean =>
  v === 0 || v === '' || v === false || v === 0n || (v instanceof Uint8Array && v.length === 0);

// ---- protobuf-es → proto-loader ------------------------------------------------------------------

/** A protobuf-es message (as connect-node hands it to a handler) in proto-loader's shape. */
export function toLoaderShape(desc: DescMessage, msg: Obj): Obj {
  const out: Obj = {};
  for (const p of planOf(desc)) {
    let v: any;
    if (p.oneof) {
      const group = msg[p.oneof.local];
      if (group?.case !== p.local) continue;
      v = group.value;
      out[p.oneof.name] = p.key;
    } else {
      v = msg[p.local];
      if (v === undefined || v === null || (p.implicit && isDefault(v))) continue;
    }
    if (p.shape === 'list') {
      if (v.length === 0) continue;
      out[p.key] = v.map((item: any) => loaderValue(p, item));
    } else if (p.shape === 'map') {
      const keys = Object.keys(v);
      if (keys.length === 0) continue;
      const m: Obj = {};
      for (const k of keys) m[k] = loaderValue(p, v[k]);
      out[p.key] = m;
    } else {
      out[p.key] = p.unboxed ? loaderWrapper(p.kind, v) : loaderValue(p, v);
    }
  }
  return out;
}

function loaderValue(p: FieldPlan, v: any): any {
  const kind = p.kind;
  switch (kind.k) {
    case 'scalar': return loaderScalar(kind.type, v);
    case 'enum': return enumNames(kind.desc).byNumber.get(v) ?? v;
    case 'message': return p.jsonStruct && !isEsMessage(v) ? structFromJson(v) : toLoaderShape(kind.desc, v);
  }
}

function loaderScalar(type: number, v: any): any {
  if (INT64_TYPES.has(type)) return Number(v);
  if (type === BYTES) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

function loaderWrapper(kind: Kind, v: any): Obj {
  if (isEsMessage(v)) return toLoaderShape((kind as { desc: DescMessage }).desc, v);
  const inner = (kind as { desc: DescMessage }).desc.fields[0]!;
  return isDefault(v) ? {} : { value: inner.fieldKind === 'scalar' ? loaderScalar(inner.scalar, v) : v };
}

const isEsMessage = (v: any): boolean => typeof v?.$typeName === 'string';

/** A JsonObject as proto-loader's google.protobuf.Struct. */
function structFromJson(json: JsonObject): Obj {
  const keys = Object.keys(json);
  if (keys.length === 0) return {};
  const fields: Obj = {};
  for (const k of keys) fields[k] = valueFromJson(json[k]!);
  return { fields };
}

function valueFromJson(v: JsonValue): Obj {
  if (v === null) return { nullValue: 'NULL_VALUE', kind: 'nullValue' };
  switch (typeof v) {
    case 'string': return { stringValue: v, kind: 'stringValue' };
    case 'number': return { numberValue: v, kind: 'numberValue' };
    case 'boolean': return { boolValue: v, kind: 'boolValue' };
  }
  if (Array.isArray(v)) return { listValue: v.length ? { values: v.map(valueFromJson) } : {}, kind: 'listValue' };
  return { structValue: structFromJson(v as JsonObject), kind: 'structValue' };
}

// ---- proto-loader → protobuf-es ------------------------------------------------------------------

/**
 * A handler's reply in proto-loader's shape as protobuf-es init data (what `create(desc, init)` takes,
 * and connect-node's handlers may return). Like protobufjs's fromObject: unknown keys are ignored, a
 * oneof member given without its group name is found by its key, enums by name or number.
 */
export function fromLoaderShape(desc: DescMessage, obj: Obj): Obj {
  const out: Obj = {};
  for (const p of planOf(desc)) {
    const v = obj[p.key];
    if (v === undefined || v === null) continue;
    let converted: any;
    if (p.shape === 'list') converted = (v as any[]).map((item) => esValue(p, item));
    else if (p.shape === 'map') {
      converted = {};
      for (const k of Object.keys(v)) converted[k] = esValue(p, v[k]);
    } else if (p.unboxed) converted = esUnboxed(p.kind, v);
    else converted = esValue(p, v);
    if (p.oneof) out[p.oneof.local] = { case: p.local, value: converted };
    else out[p.local] = converted;
  }
  return out;
}

function esValue(p: FieldPlan, v: any): any {
  const kind = p.kind;
  switch (kind.k) {
    case 'scalar': return esScalar(kind.type, v);
    case 'enum': return typeof v === 'number' ? v : (enumNames(kind.desc).byName.get(v) ?? 0);
    case 'message': return p.jsonStruct ? structToJson(v) : fromLoaderShape(kind.desc, v);
  }
}

function esScalar(type: number, v: any): any {
  if (INT64_TYPES.has(type)) return typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? Math.trunc(v) : String(v));
  if (type === BYTES) return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
  return v;
}

function esUnboxed(kind: Kind, v: any): any {
  const inner = (kind as { desc: DescMessage }).desc.fields[0]!;
  const value = typeof v === 'object' && !(v instanceof Uint8Array) ? v.value : v;
  if (value === undefined || value === null) return inner.fieldKind === 'scalar' ? esScalar(inner.scalar, defaultScalar(inner.scalar)) : undefined;
  return inner.fieldKind === 'scalar' ? esScalar(inner.scalar, value) : value;
}

const defaultScalar = (type: number): unknown => (type === 8 /* BOOL */ ? false : type === 9 /* STRING */ ? '' : type === BYTES ? new Uint8Array(0) : 0);

/** proto-loader's google.protobuf.Struct as a JsonObject. */
function structToJson(s: Obj): JsonObject {
  const out: JsonObject = {};
  const fields = s?.fields ?? {};
  for (const k of Object.keys(fields)) out[k] = valueToJson(fields[k]);
  return out;
}

function valueToJson(v: Obj | undefined): JsonValue {
  if (!v) return null;
  const kind = v.kind ?? ['nullValue', 'numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'].find((k) => v[k] !== undefined && v[k] !== null);
  switch (kind) {
    case 'numberValue': return v.numberValue;
    case 'stringValue': return v.stringValue;
    case 'boolValue': return v.boolValue;
    case 'structValue': return structToJson(v.structValue);
    case 'listValue': return ((v.listValue?.values ?? []) as Obj[]).map(valueToJson);
    default: return null;
  }
}
