// What lint reports. Its own module because every stage (references, schema, sections) produces these.

/** One problem found by lint: where in the document, and what. */
export interface ConfigProblem {
  /** JSON-pointer-like path into the YAML document, e.g. `/backends/0/endpoint`. */
  path: string;
  message: string;
  /** 1-based line in the YAML file when known. */
  line?: number;
  /** Absent means an error (the config is rejected); a warning is reported but does not stop startup. */
  severity?: 'warning';
}
