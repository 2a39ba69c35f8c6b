// The JSON Schema of the YAML config (snake_case, before defaults), assembled from the sections' parts.
import { SECTIONS } from './sections/index.ts';
import type { JsonSchema } from './sections/section.ts';
import { sharedDefs } from './sections/shared.ts';

export type { RawConfig } from './sections/index.ts';

export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Bucketgate configuration',
  type: 'object',
  additionalProperties: false,
  required: SECTIONS.flatMap((s) => s.required ?? []),
  properties: merge('top-level key', SECTIONS.map((s) => s.properties)),
  $defs: merge('$defs name', [sharedDefs, ...SECTIONS.map((s) => s.defs ?? {})]),
};

/** The schema as `bucketgate config schema` prints it (e.g. for editor YAML validation). */
export function schemaText(): string {
  return `${JSON.stringify(configSchema, null, 2)}\n`;
}

/** One object from the sections' parts; two sections claiming one name is a bug, not an override. */
function merge(what: string, parts: Readonly<Record<string, JsonSchema>>[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const part of parts) {
    for (const [name, schema] of Object.entries(part)) {
      if (name in out) throw new Error(`config sections both define ${what} ${name}`);
      out[name] = schema;
    }
  }
  return out;
}
