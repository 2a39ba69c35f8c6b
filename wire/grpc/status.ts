// gRPC status codes used by the transports, and grpc-message's percent-encoding (gRPC over HTTP/2 spec).

export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Percent-encodes every UTF-8 byte outside printable ASCII (0x20–0x7E), and '%' itself. */
export function encodeGrpcMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The message of whatever a handler threw, for grpc-message. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The one log line for a handler that threw. */
export function logHandlerError(path: string, err: unknown): void {
  console.error(`gRPC handler for ${path} failed:`, err);
}
