/**
 * `nlkit`: a command for every netlink family nlkit has specs for, in the
 * manner of the kernel's ynl tool, built on the family runtime.
 *
 *   nlkit families
 *   nlkit rt-link dump getlink [--netns ns1] [--json '{"header":{"ifiFamily":0}}']
 *   nlkit ethtool do linkinfo-get --json '{"header":{"devName":"veth0"}}'
 *   nlkit rt-route monitor
 *   nlkit links | addresses | routes | neighbors | rules [list]
 *
 * Output is JSON (one object per line, `--array` for one array) or, on a
 * terminal, a table. Errors go to stderr — a kernel refusal with its
 * extended-ACK message and attribute path — and set the exit status: 1 when
 * the kernel or the system said no, 2 for a bad command line or request.
 */
import { parseArgs } from 'node:util';
import { catalog, type CatalogFamily } from '../generated/catalog.js';
import { NetlinkFamily, type RequestFlag } from '../family/family.js';
import { ArgumentError, KernelError } from '../netlink/errors.js';
import { Rtnl } from '../rtnl/rtnl.js';
import { familyHelp, opHelp, topHelp } from './help.js';
import { OBJECT_COMMANDS } from './objects.js';
import { render, reviveInput, toJson, type OutputFormat } from './output.js';

/** Where the command writes and what it knows of its terminal (tests pass their own). */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Standard output is a terminal: print tables unless told otherwise. */
  isTty: boolean;
  /** Ends `monitor` (SIGINT in the real command). */
  signal?: AbortSignal;
}

/** UsageError: the command line is wrong; exit status 2, with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

interface Options {
  json?: string;
  netns?: string;
  array: boolean;
  output?: string;
  flags?: string;
  help: boolean;
}

function parse(argv: readonly string[]): { positional: string[]; options: Options } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'string' },
        netns: { type: 'string' },
        array: { type: 'boolean', default: false },
        output: { type: 'string' },
        flags: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    return { positional: positionals, options: values as Options };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function format(o: Options, io: CliIo): OutputFormat {
  if (o.output !== undefined && o.output !== 'json' && o.output !== 'table') throw new UsageError(`--output: expected json or table, got ${JSON.stringify(o.output)}`);
  if (o.array) return 'array';
  if (o.output === 'table' || (o.output === undefined && io.isTty)) return 'table';
  return 'lines';
}

function input(o: Options): Record<string, unknown> {
  if (o.json === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(o.json, reviveInput);
  } catch (err) {
    throw new UsageError(`--json: not JSON: ${(err as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError('--json: expected a JSON object');
  return v as Record<string, unknown>;
}

function flags(o: Options): RequestFlag[] | undefined {
  if (o.flags === undefined) return undefined;
  return o.flags.split(',').filter((f) => f !== '') as RequestFlag[];
}

function findFamily(name: string): CatalogFamily | undefined {
  return catalog.find((f) => f.name === name);
}

async function families(o: Options, io: CliIo): Promise<void> {
  const items = catalog.map((f) => ({
    name: f.name,
    protocol: f.protocol,
    ops: Object.entries(f.ops).map(([n, op]) => `${n}${op.do && op.dump ? '' : op.dump ? ' (dump)' : ' (do)'}`),
    groups: f.groups,
  }));
  const fmt = format(o, io);
  if (fmt === 'table') render(items.map((i) => ({ ...i, ops: i.ops.length, groups: i.groups.join(',') })), fmt, io.out);
  else render(items, fmt, io.out);
}

async function objects(name: string, positional: string[], o: Options, io: CliIo): Promise<void> {
  const cmd = OBJECT_COMMANDS.find((c) => c.name === name)!;
  const verb = positional[0] ?? 'list';
  if (verb !== 'list' || positional.length > 1) throw new UsageError(`${name}: the only verb is list (got ${positional.join(' ')})`);
  await using rt = await Rtnl.open({ netns: o.netns });
  const items = await cmd.list(rt, input(o), { signal: io.signal });
  render(items, format(o, io), io.out);
}

async function family(f: CatalogFamily, positional: string[], o: Options, io: CliIo): Promise<void> {
  const [verb, op, ...rest] = positional;
  if (verb === undefined || (o.help && verb !== 'monitor' && op === undefined && !(verb in f.ops))) {
    io.out(familyHelp(f));
    if (verb === undefined && !o.help) throw new UsageError(`${f.name}: say do, dump or monitor`);
    return;
  }
  if (o.help) {
    const name = verb in f.ops ? verb : op;
    if (name !== undefined && name in f.ops) io.out(opHelp(f, name));
    else io.out(familyHelp(f));
    return;
  }
  if (verb === 'monitor') return monitor(f, op === undefined ? [] : [op, ...rest], o, io);
  if (verb !== 'do' && verb !== 'dump') throw new UsageError(`${f.name}: unknown verb ${JSON.stringify(verb)} (do, dump, monitor)`);
  if (op === undefined) throw new UsageError(`${f.name} ${verb}: name the operation (see nlkit ${f.name} --help)`);
  if (rest.length) throw new UsageError(`${f.name} ${verb} ${op}: unexpected ${rest.join(' ')} (the request goes in --json)`);
  const entry = Object.hasOwn(f.ops, op) ? f.ops[op] : undefined;
  if (!entry || !entry[verb]) {
    const can = Object.entries(f.ops).filter(([, x]) => x[verb]).map(([n]) => n);
    throw new UsageError(`${f.name}: no operation ${JSON.stringify(op)} with ${verb} (${verb}: ${can.join(', ')})`);
  }
  if (verb === 'dump' && o.flags !== undefined) throw new UsageError('--flags applies to do only');
  // A request with a fixed header is { header, attrs }; either may be left out.
  const given = input(o);
  const request = entry.header !== undefined ? { header: {}, attrs: {}, ...given } : given;
  await using fam = await NetlinkFamily.open(await f.load(), { netns: o.netns });
  const any = fam as unknown as {
    do(op: string, r: unknown, opts: { flags?: RequestFlag[]; signal?: AbortSignal }): Promise<unknown>;
    dump(op: string, r: unknown, opts: { signal?: AbortSignal }): Promise<{ items: unknown[]; interrupted: boolean }>;
  };
  if (verb === 'do') {
    const reply = await any.do(op, request, { flags: flags(o), signal: io.signal });
    if (reply !== undefined) render([reply], format(o, io), io.out);
    return;
  }
  const { items, interrupted } = await any.dump(op, request, { signal: io.signal });
  render(items, format(o, io), io.out);
  if (interrupted) io.err(`nlkit: ${f.name} ${op}: the dump was interrupted by a change (NLM_F_DUMP_INTR); it may be inconsistent`);
}

async function monitor(f: CatalogFamily, groups: string[], o: Options, io: CliIo): Promise<void> {
  const fam = await NetlinkFamily.open(await f.load(), { netns: o.netns });
  try {
    const join = groups.length ? groups : [...fam.groups.keys()];
    if (!join.length) throw new UsageError(`${f.name} has no multicast groups to monitor`);
    const events = await fam.subscribe(join, { signal: io.signal });
    // A subscription's wait does not hold the event loop (a library's listener must not keep
    // a program alive); the monitor is the program, so it holds it until interrupted.
    const hold = setInterval(() => {}, 0x7fffffff);
    try {
      for await (const ev of events) {
        if (ev.kind === 'message') io.out(toJson({ op: ev.value.op, group: ev.group, ...(ev.value.value as object) }));
        else if (ev.kind === 'overrun') io.err(`nlkit: ${f.name}: notifications were lost (the socket overran); state may have changed unseen`);
        else io.err(`nlkit: ${f.name}: a notification could not be decoded: ${ev.error.message}`);
      }
    } finally {
      clearInterval(hold);
    }
  } finally {
    fam.close();
  }
}

/**
 * run runs the command with `argv` (without `node` and the script) and
 * resolves with the exit status: 0 done, 1 the kernel or system refused,
 * 2 bad usage or input. It never exits the process itself.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { positional, options } = parse(argv);
    const [cmd, ...rest] = positional;
    if (cmd === undefined || (cmd === 'help' && rest.length === 0)) {
      io.out(topHelp(catalog));
      if (cmd === undefined && !options.help) throw new UsageError('say what to do');
      return 0;
    }
    if (cmd === 'families') {
      if (options.help) io.out(topHelp(catalog));
      else await families(options, io);
      return 0;
    }
    if (OBJECT_COMMANDS.some((c) => c.name === cmd)) {
      if (options.help) io.out(topHelp(catalog));
      else await objects(cmd, rest, options, io);
      return 0;
    }
    const f = findFamily(cmd);
    if (!f) throw new UsageError(`unknown command or family ${JSON.stringify(cmd)} (nlkit families lists the families)`);
    await family(f, rest, options, io);
    return 0;
  } catch (err) {
    return report(err, io);
  }
}

function report(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.err(`nlkit: ${err.message}\n(nlkit --help says what it takes)`);
    return 2;
  }
  if (err instanceof ArgumentError) {
    io.err(`nlkit: ${err.message}`);
    return 2;
  }
  if (err instanceof KernelError) {
    // The message carries the errno, the extended-ACK text and the attribute path; the
    // lines after it repeat them one per line for scripts that grep.
    io.err(`nlkit: ${err.message}`);
    if (err.ack.message) io.err(`  message: ${err.ack.message}`);
    if (err.ack.attributePath) io.err(`  attribute: ${err.ack.attributePath}`);
    return 1;
  }
  if ((err as Error)?.name === 'AbortError') return 0;
  io.err(`nlkit: ${(err as Error)?.message ?? String(err)}`);
  return 1;
}

/** main runs the `nlkit` executable: process arguments, stdout/stderr, SIGINT ends a monitor (bin.ts calls it). */
export async function main(): Promise<void> {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  // A reader that went away (`nlkit … | head`) ends the command quietly, as for other tools.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  const status = await run(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTty: process.stdout.isTTY === true,
    signal: ac.signal,
  });
  process.exitCode = status;
  // A monitor's socket or timers must not keep the process after SIGINT.
  if (ac.signal.aborted) process.exit(status);
}
