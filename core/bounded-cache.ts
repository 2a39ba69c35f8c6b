// A memo for values made from strings that may come from clients (an address, a glob argument, an
// identity): past its size it starts over rather than grow with what they send.

export class BoundedMap<T> {
  private entries = new Map<string, T>();

  constructor(private readonly size = 1024) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  /** Keeps the value and returns it. */
  set(key: string, value: T): T {
    if (this.entries.size >= this.size) this.entries = new Map();
    this.entries.set(key, value);
    return value;
  }
}

/** make() memoized by its argument (undefined results too). */
export function boundedCache<T>(make: (source: string) => T, size = 1024): (source: string) => T {
  const made = new BoundedMap<T>(size);
  return (source) => (made.has(source) ? (made.get(source) as T) : made.set(source, make(source)));
}
