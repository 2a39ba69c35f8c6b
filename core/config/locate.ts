// Problem locations: JSON-pointer paths into the document, and the YAML source line each one names.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** Appends one segment to a JSON pointer, escaping `~` and `/` as RFC 6901 requires. */
export function joinPointer(base: string, segment: string | number): string {
  return `${base}/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The 1-based line of the node a pointer names. A map entry is located by its key (so a block value
 * on the next line still points at `key:`); a path that does not exist (a missing required key, say)
 * falls back to the deepest ancestor that does.
 */
export function lineOf(doc: Document, lines: LineCounter, pointer: string): number | undefined {
  let node: unknown = doc.contents;
  let offset = isRanged(node) ? node.range[0] : undefined;
  for (const segment of splitPointer(pointer)) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      if (isRanged(pair.key)) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (!isRanged(item)) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function isRanged(node: unknown): node is { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as { range?: unknown }).range);
}
