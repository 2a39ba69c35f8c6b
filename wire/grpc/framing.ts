// gRPC length-prefixed messages: 1 byte compressed flag, 4 bytes big-endian length, then the message.
// A pure decoder: DATA chunks in, whole messages out, whatever the chunk boundaries.

export interface Frame {
  compressed: boolean;
  payload: Buffer;
}

/** A prefix announced a message larger than the limit (thrown before its payload is buffered). */
export class FrameTooLarge extends Error {
  constructor(readonly length: number, readonly max: number) {
    super(`Received message larger than max (${length} vs. ${max})`);
  }
}

const PREFIX = 5;
const EMPTY = Buffer.alloc(0);

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the message being read, or -1 while reading a prefix. */
  private length = -1;
  private compressed = false;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held for an incomplete message (prefix included): non-zero at end of stream means truncation. */
  get pending(): number {
    return this.buffered + (this.length >= 0 ? PREFIX : 0);
  }

  /** Adds a chunk; returns the messages it completes, in order. Throws FrameTooLarge. */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.length < 0) {
        if (this.buffered < PREFIX) return out;
        const prefix = this.take(PREFIX);
        this.compressed = (prefix[0]! & 1) === 1;
        this.length = prefix.readUInt32BE(1);
        if (this.length > this.maxBytes) throw new FrameTooLarge(this.length, this.maxBytes);
      }
      if (this.buffered < this.length) return out;
      out.push({ compressed: this.compressed, payload: this.take(this.length) });
      this.length = -1;
    }
  }

  /** Removes n buffered bytes; slices without copying when one chunk holds them all. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.chunks[0]!;
      const k = Math.min(chunk.length, n - offset);
      chunk.copy(out, offset, 0, k);
      offset += k;
      if (k === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(k);
    }
    return out;
  }
}

/** One uncompressed length-prefixed message. */
export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX + payload.length);
  frame[0] = 0;
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, PREFIX);
  return frame;
}
