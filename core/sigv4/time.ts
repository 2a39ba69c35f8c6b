// Request-time handling shared by header and presigned authentication.

/** AWS allows 15 minutes between the signer's clock and ours. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** Parses the ISO 8601 basic format SigV4 signs (YYYYMMDDTHHMMSSZ); undefined if malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls over out-of-range fields (month 13, second 61); reject those instead.
  return formatAmzDate(time) === value ? time : undefined;
}

let lastSecond = NaN;
let lastFormatted = '';

/** Formats a time the way SigV4 signs it (YYYYMMDDTHHMMSSZ); every request formats the current second, so the last one is kept. */
export function formatAmzDate(time: Date): string {
  const second = Math.floor(time.getTime() / 1000);
  if (second !== lastSecond) {
    lastFormatted = time.toISOString().replace(/[-:]|\.\d{3}/g, '');
    lastSecond = second;
  }
  return lastFormatted;
}

/** ISO 8601 without milliseconds, as S3 prints times in error details. */
export function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
