/**
 * Comparing a generated decoder's result with a hand decoder's, for the
 * decode workloads: both must give the same fields with the same values
 * before either is timed.
 */

/**
 * firstDifference returns the path of the first place `a` and `b` differ, or
 * undefined when they are equal. Keys named in `ignore` (the generated
 * decoders' `order`) are skipped at every depth, and a key whose value is
 * `undefined` counts as absent, so `{ x: undefined }` equals `{}`. Numbers,
 * strings and bigints compare with `===` (a bigint never equals a number);
 * Uint8Arrays byte by byte; arrays by length and element.
 */
export function firstDifference(a: unknown, b: unknown, ignore: ReadonlySet<string>, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path || '.'}: ${show(a)} vs ${show(b)}`;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length || a.some((x, i) => x !== b[i])) return `${path}: bytes differ`;
    return undefined;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (ignore.has(k)) continue;
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], ignore, `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

function show(v: unknown): string {
  return typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v);
}
