// One interface for every request body that passes through Node (signed chunks, POST forms; delta
// next): bytes in as Envoy sends them, bytes out for the backend.

export interface BodyOutput {
  body: Buffer;
  /** Dynamic metadata to hand back to Envoy with this chunk (namespace → flat string fields). */
  metadata?: Record<string, Record<string, string>>;
}

export interface BodyStage {
  /** Throws an S3Error when the body is refused; the request then ends with that error. */
  onBody(chunk: Buffer, end: boolean): BodyOutput;
  /** More of the body is awaited (a stall this long ends the request with RequestTimeout). */
  readonly awaiting: boolean;
}
