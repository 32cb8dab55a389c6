/**
 * How the `nlkit` command prints what it reads: JSON (one object per line, or
 * one array), or a table when standard output is a terminal. Values JSON
 * cannot hold are made JSON-safe: a bigint becomes its decimal string, bytes
 * become a hex string. The decoders' wire-order bookkeeping (`order`) is left out.
 */

/** OutputFormat: `lines` (JSON, one object per line), `array` (one JSON array), `table`. */
export type OutputFormat = 'lines' | 'array' | 'table';

/** jsonSafe is a JSON.stringify replacer: bigint → decimal string, Uint8Array → hex, `order` dropped. */
export function jsonSafe(this: unknown, key: string, value: unknown): unknown {
  // Read the holder's own value: Buffer's toJSON has already run on `value`.
  const raw = this !== null && typeof this === 'object' && key !== '' ? (this as Record<string, unknown>)[key] : value;
  if (key === 'order' && Array.isArray(raw)) return undefined;
  if (typeof raw === 'bigint') return raw.toString();
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  return value;
}

/** toJson renders one value as compact JSON with jsonSafe. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonSafe) ?? 'null';
}

/**
 * reviveInput is a JSON.parse reviver for requests given on the command
 * line: `"123n"` becomes a bigint and `"hex:0a0b"` bytes, so u64 values above
 * 2^53 and binary attributes can be written in JSON.
 */
export function reviveInput(_key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/^-?\d+n$/.test(value)) return BigInt(value.slice(0, -1));
  if (value.startsWith('hex:') && /^(?:[0-9a-fA-F]{2})*$/.test(value.slice(4))) return Uint8Array.from(Buffer.from(value.slice(4), 'hex'));
  return value;
}

/** A row of a table: column name → cell text. */
type Row = Map<string, string>;

const MAX_CELL = 40;

function cell(v: unknown): string {
  const text = typeof v === 'string' ? v : toJson(v);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** flatten turns an object into cells; a `{ header, attrs }` message lists both parts' fields side by side. */
function flatten(item: unknown): Row {
  const row: Row = new Map();
  const parsed = JSON.parse(toJson(item)) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    row.set('value', cell(parsed));
    return row;
  }
  const o = parsed as Record<string, unknown>;
  const isMessage = Object.keys(o).length === 2 && typeof o.header === 'object' && typeof o.attrs === 'object';
  const parts = isMessage ? [o.header as Record<string, unknown>, o.attrs as Record<string, unknown>] : [o];
  for (const part of parts) {
    for (const [k, v] of Object.entries(part ?? {})) {
      if (v === undefined || v === null || k === 'unknown') continue;
      row.set(k, cell(v));
    }
  }
  return row;
}

/** table renders items as aligned columns (the union of their fields, in order of first appearance). */
export function table(items: readonly unknown[]): string {
  const rows = items.map(flatten);
  const cols: string[] = [];
  for (const r of rows) for (const k of r.keys()) if (!cols.includes(k)) cols.push(k);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r.get(c) ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...rows.map((r) => line(cols.map((c) => r.get(c) ?? '')))].join('\n');
}

/** render prints items in the chosen format through `write` (one call per line). */
export function render(items: readonly unknown[], format: OutputFormat, write: (line: string) => void): void {
  if (format === 'array') write(`[${items.map(toJson).join(',')}]`);
  else if (format === 'table') {
    if (items.length) write(table(items));
  } else for (const item of items) write(toJson(item));
}
