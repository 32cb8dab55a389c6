/**
 * Loading koffi, by its native addon where that can be found without running
 * koffi's own loader.
 *
 * `require('koffi')` costs 10–14 ms in a fresh process, of which loading the
 * addon itself (dlopen of a 1.1 MB shared object) is about 2.5 ms. The rest is
 * koffi's JavaScript entry point: resolving the package through Node's
 * CommonJS resolver (cold in an ES-module program), reading Node's ELF header
 * to choose the glibc or musl build, probing candidate paths, and wrapping
 * deprecated functions nlkit never calls. For a CNI plugin that runs once per
 * container, that is about 5 % of the whole process.
 *
 * So nlkit looks for the addon where npm and pnpm put it: the package
 * `@koromix/koffi-<platform>-<arch>` (an optional dependency of koffi, pinned
 * to koffi's version), in koffi's own `node_modules` or beside koffi. The
 * addon is used only when every check agrees with what koffi's loader would
 * choose: Linux, an architecture whose build directory is named after it, a
 * glibc Node (read from Node's ELF interpreter, as koffi reads it), and an
 * addon whose version is the version of the koffi package found. Anything
 * else (another layout, a bundled or Yarn PnP install, a mismatch) returns
 * undefined and the caller loads koffi the ordinary way.
 */
// Builtins through process.getBuiltinModule, not import (see src/index.ts).
const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

/**
 * loadKoffi loads koffi as the module at `moduleUrl` would: its native addon
 * directly where findKoffiAddon finds it, else koffi's package. Returns the module
 * and the path it was loaded from (the poller's thread loads the same).
 */
export function loadKoffi<K>(moduleUrl: string): { module: K; path: string } {
  const dir = path.dirname(process.getBuiltinModule('node:url').fileURLToPath(moduleUrl));
  return loadKoffiModule<K>(findKoffiAddon(dir), () => process.getBuiltinModule('node:module').createRequire(moduleUrl));
}

/**
 * loadKoffiModule loads `addon` if there is one and it loads (`open`), else koffi's
 * package through the `require` that `requireFrom` makes (only then: making one costs
 * ~0.5 ms in a fresh process). Both give the same module: the package's entry point
 * returns this addon, with wrappers only for deprecated calls. An addon that fails to
 * load (a library it links against is missing) goes to koffi's loader too, which tries
 * its other builds and says what it tried.
 */
export function loadKoffiModule<K>(
  addon: string | undefined,
  requireFrom: () => NodeJS.Require,
  open: (file: string) => unknown = openAddon,
): { module: K; path: string } {
  if (addon !== undefined) {
    try {
      return { module: open(addon) as K, path: addon };
    } catch {
      // koffi's entry point decides, below.
    }
  }
  const require = requireFrom();
  const resolved = require.resolve('koffi');
  return { module: require(resolved) as K, path: resolved };
}

/**
 * openAddon loads a native addon by `process.dlopen`, what `require` of a `.node`
 * file does without the CommonJS loader around it: ~1 ms less in a fresh
 * ES-module process, where that loader is still cold. The addon is then not in
 * require's cache, so a program that also requires koffi itself gets a second
 * instance of the same shared object (N-API addons are made to be loaded more
 * than once; the two share the library and its saved errno).
 */
function openAddon(file: string): unknown {
  const module = { exports: {} };
  process.dlopen(module, file);
  return module.exports;
}

/** The ELF program-header type of the interpreter's path (PT_INTERP). */
const PT_INTERP = 3;

/** Architectures whose koffi build directory is `<platform>_<arch>`; others (arm, riscv) add an ABI suffix. */
const PLAIN_ARCHES = new Set(['x64', 'arm64', 'ia32']);

/**
 * findKoffiAddon returns the path of koffi's native addon for this process,
 * searching the `node_modules` directories above `fromDir` as Node's resolver
 * does, or undefined when the addon cannot be chosen with certainty.
 */
export function findKoffiAddon(fromDir: string, executable = process.execPath): string | undefined {
  if (process.platform !== 'linux' || !PLAIN_ARCHES.has(process.arch)) return undefined;
  try {
    const koffiDir = findPackageDir(fromDir, 'koffi');
    if (koffiDir === undefined) return undefined;
    const interpreter = elfInterpreter(executable);
    if (interpreter === undefined || path.basename(interpreter).startsWith('ld-musl-')) return undefined;
    const version = packageVersion(koffiDir, 'koffi');
    if (version === undefined) return undefined;
    const platformPackage = `@koromix/koffi-${process.platform}-${process.arch}`;
    // koffi's own node_modules first (a koffi nested for a version conflict), then beside koffi.
    for (const dir of [path.join(koffiDir, 'node_modules', platformPackage), path.join(koffiDir, '..', platformPackage)]) {
      if (packageVersion(dir, platformPackage) !== version) continue;
      const addon = path.join(dir, `${process.platform}_${process.arch}`, 'koffi.node');
      if (fs.existsSync(addon)) return addon;
    }
  } catch {
    // An unreadable file or an unexpected layout: koffi's loader decides.
  }
  return undefined;
}

/** findPackageDir walks up from `fromDir` as Node's resolver does: `<dir>/node_modules/<name>`, skipping `node_modules/node_modules`. */
function findPackageDir(fromDir: string, name: string): string | undefined {
  for (let dir = path.resolve(fromDir); ; ) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      // Where the package really is (pnpm links it from its store): koffi looks beside itself there.
      if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync.native(candidate);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** packageVersion returns the version in `<dir>/package.json` if that package is `name`. */
function packageVersion(dir: string, name: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
  return pkg.name === name && typeof pkg.version === 'string' ? pkg.version : undefined;
}

/** How much of the executable elfInterpreter reads first: the ELF header, the program headers and PT_INTERP's path are in it on every build seen. */
const ELF_HEAD = 4096;

/** elfInterpreter returns the program interpreter (PT_INTERP) of a 64-bit little-endian ELF executable, or undefined. */
export function elfInterpreter(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    // One read of the file's start, parsed with a DataView: Buffer's readers (cold in a fresh
    // process) and a read per part cost twice as much. Parts beyond it are read where they are.
    const head = readAt(fd, 0, ELF_HEAD);
    const at = (offset: number, length: number) => (offset + length <= head.length ? head.subarray(offset, offset + length) : readAt(fd, offset, length));
    const view = new DataView(head.buffer, head.byteOffset, head.length);
    // "\x7fELF", ELFCLASS64, ELFDATA2LSB: the only layout the architectures above use.
    if (head.length < 64 || view.getUint32(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return undefined;
    const phoff = Number(view.getBigUint64(32, true));
    const phentsize = view.getUint16(54, true);
    const phnum = view.getUint16(56, true);
    if (phentsize < 56) return undefined;
    const table = at(phoff, phentsize * phnum);
    const entries = new DataView(table.buffer, table.byteOffset, table.length);
    for (let p = 0; p + 56 <= table.length; p += phentsize) {
      if (entries.getUint32(p, true) !== PT_INTERP) continue;
      const name = at(Number(entries.getBigUint64(p + 8, true)), Number(entries.getBigUint64(p + 32, true)));
      const end = name.indexOf(0);
      return Buffer.from(name.buffer, name.byteOffset, end < 0 ? name.length : end).toString('latin1');
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const n = fs.readSync(fd, bytes, 0, length, position);
  return bytes.subarray(0, n);
}
