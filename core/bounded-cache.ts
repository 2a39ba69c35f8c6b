// A memo for values made from strings that may come from clients (an address, a glob argument): past
// its size it starts over rather than grow with what they send.

export function boundedCache<T>(make: (source: string) => T, size = 1024): (source: string) => T {
  let entries = new Map<string, T>();
  return (source) => {
    if (entries.has(source)) return entries.get(source)!;
    if (entries.size >= size) entries = new Map();
    const made = make(source);
    entries.set(source, made);
    return made;
  };
}
