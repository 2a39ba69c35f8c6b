// One interface for every request body that passes through Node (signed chunks, POST forms, a
// DeleteObjects batch decided key by key; delta next): bytes in as Envoy sends them, bytes out for the backend.
import type { AuditTrail } from '../../access/audit.ts';

export interface BodyOutput {
  body: Buffer;
  /** Dynamic metadata to hand back to Envoy with this chunk (namespace → flat string fields). */
  metadata?: Record<string, Record<string, string>>;
  /** Request headers to change with this chunk: only while Envoy holds them (a BUFFERED body). */
  headers?: { set: Array<[name: string, value: string]>; remove: string[] };
  /** End the request with this answer instead: the backend is not asked (`body` is then unused). */
  answer?: { status: number; xml: string };
  /** Parts of the request the stage refused (a batch's keys): one audit line each, AccessDenied. */
  refused?: AuditTrail[];
}

export interface BodyStage {
  /** Throws an S3Error when the body is refused; the request then ends with that error. */
  onBody(chunk: Buffer, end: boolean): BodyOutput;
  /** More of the body is awaited (a stall this long ends the request with RequestTimeout). */
  readonly awaiting: boolean;
  /**
   * Set while the stage has an access decision still to make on the next body message (a POST form's
   * credentials are in its body): what it knows of it so far, filled in as it decides, for the audit.
   */
  readonly deciding?: AuditTrail;
}
