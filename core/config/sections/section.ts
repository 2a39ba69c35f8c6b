// The contract each top-level part of the config implements, so one file holds all of a section:
// its YAML keys and their JSON Schema, the runtime model it builds, and the checks the schema cannot do.
import type { ConfigProblem } from '../problem.ts';

/**
 * A JSON Schema fragment (draft 2020-12). Objects are closed (`additionalProperties: false`) so a typo
 * is an error; a leaf's `description` doubles as its lint message ("must be <description>") for
 * pattern, length and range failures, so keep descriptions noun phrases.
 */
export type JsonSchema = Readonly<Record<string, unknown>> | boolean;

export interface SectionContext {
  /** Directory relative paths in the config are resolved against: the config file's. */
  baseDir: string;
}

/**
 * `Raw` is the part of the schema-valid document the section reads (its own keys, plus any of other
 * sections' it cross-checks); `Model` is the part of the runtime model it builds (its own keys only).
 */
export interface Section<Raw, Model> {
  /** The top-level YAML keys this section owns, each with its schema. */
  properties: Readonly<Record<string, JsonSchema>>;
  /** Which of those keys must be present. */
  required?: readonly string[];
  /** Named schemas for `$ref: '#/$defs/<name>'`, used by this section only. */
  defs?: Readonly<Record<string, JsonSchema>>;
  toModel(raw: Raw, ctx: SectionContext): Model;
  /** Checks the schema cannot express; runs only on a document that passed the schema. */
  check?(raw: Raw, ctx: SectionContext): Iterable<ConfigProblem>;
}
