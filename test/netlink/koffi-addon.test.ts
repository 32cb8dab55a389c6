import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { elfInterpreter, findKoffiAddon, loadKoffiModule } from '../../src/sys/koffi-addon.js';
import * as libc from '../../src/sys/libc.js';

const here = dirname(fileURLToPath(import.meta.url));
const platformPackage = `@koromix/koffi-${process.platform}-${process.arch}`;
const buildDir = `${process.platform}_${process.arch}`;

/** elf64 builds a minimal 64-bit little-endian ELF header with one PT_INTERP program header naming `interpreter`. */
function elf64(interpreter: string): Buffer {
  const name = Buffer.from(`${interpreter}\0`, 'latin1');
  const buf = Buffer.alloc(64 + 56 + name.length);
  buf.writeUInt32BE(0x7f454c46, 0);
  buf[4] = 2; // ELFCLASS64
  buf[5] = 1; // little-endian
  buf[6] = 1; // EV_CURRENT
  buf.writeBigUInt64LE(64n, 32); // e_phoff
  buf.writeUInt16LE(56, 54); // e_phentsize
  buf.writeUInt16LE(1, 56); // e_phnum
  buf.writeUInt32LE(3, 64); // p_type PT_INTERP
  buf.writeBigUInt64LE(120n, 64 + 8); // p_offset
  buf.writeBigUInt64LE(BigInt(name.length), 64 + 32); // p_filesz
  name.copy(buf, 120);
  return buf;
}

describe('koffi addon lookup (the fast path around koffi loader)', () => {
  it('finds the addon koffi itself loads in this install, and nlkit uses it', () => {
    const addon = findKoffiAddon(here);
    const koffiMain = createRequire(import.meta.url).resolve('koffi');
    const koffiVersion = (JSON.parse(readFileSync(join(dirname(koffiMain), 'package.json'), 'utf8')) as { version: string }).version;
    expect(addon).toBe(join(dirname(koffiMain), '..', platformPackage, buildDir, 'koffi.node'));
    // The addon is the very module koffi's entry point returns: same version, same functions.
    const native = createRequire(import.meta.url)(addon!) as { version: string; load: unknown };
    expect(native.version).toBe(koffiVersion);
    expect(typeof native.load).toBe('function');
    expect(libc.koffiModulePath()).toBe(addon);
    // And the libc bindings work through it.
    const fd = libc.socket(16 /* AF_NETLINK */, 2 /* SOCK_DGRAM */, 0);
    libc.close(fd);
  });

  it("falls back to koffi's entry point when the addon does not load, and makes a require only then", () => {
    const real = createRequire(import.meta.url);
    const opened: string[] = [];
    let requires = 0;
    const requireFrom = () => {
      requires++;
      return real;
    };
    const failing = (file: string) => {
      opened.push(file);
      throw new Error('cannot open shared object file');
    };
    const loaded = loadKoffiModule<{ load: unknown }>('/nowhere/koffi.node', requireFrom, failing);
    expect(opened).toEqual(['/nowhere/koffi.node']);
    expect(requires).toBe(1);
    expect(loaded.path).toBe(real.resolve('koffi'));
    expect(typeof loaded.module.load).toBe('function');
    // No addon found: koffi's entry point straight away.
    expect(loadKoffiModule(undefined, requireFrom).path).toBe(real.resolve('koffi'));
    expect(requires).toBe(2);
    // With an addon that loads, that addon, by dlopen, and no require made.
    const addon = findKoffiAddon(here)!;
    const direct = loadKoffiModule<{ version: string; load: unknown }>(addon, () => {
      throw new Error('no require expected');
    });
    expect(direct.path).toBe(addon);
    expect(direct.module.version).toBe((real('koffi') as { version: string }).version);
    expect(typeof direct.module.load).toBe('function');
  });

  it("reads this Node's ELF interpreter (glibc's loader on this machine)", () => {
    expect(elfInterpreter(process.execPath)).toMatch(/\/ld-linux-[^/]+\.so\.\d+$/);
    expect(elfInterpreter(join(here, 'koffi-addon.test.ts'))).toBeUndefined();
  });

  it('reads program headers and the interpreter path beyond the first 4 KiB where they are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-elf-'));
    try {
      // The same ELF with its program header table moved to 8,000 and the path to 12,000.
      const small = elf64('/lib/ld-musl-x86_64.so.1');
      const far = Buffer.alloc(12_100);
      small.copy(far, 0, 0, 64);
      far.writeBigUInt64LE(8_000n, 32); // e_phoff
      small.copy(far, 8_000, 64, 120);
      far.writeBigUInt64LE(12_000n, 8_000 + 8); // p_offset
      small.copy(far, 12_000, 120);
      const file = join(dir, 'node-far');
      writeFileSync(file, far);
      expect(elfInterpreter(file)).toBe('/lib/ld-musl-x86_64.so.1');
      // Cut short: a path that runs past the end of the file is what was read of it.
      writeFileSync(file, far.subarray(0, 12_010));
      expect(elfInterpreter(file)).toBe('/lib/ld-mu');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('in a made-up node_modules tree', () => {
    let root: string;
    let fromDir: string;
    let glibcNode: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'nlkit-koffi-'));
      fromDir = join(root, 'app', 'node_modules', 'nlkit', 'dist', 'chunks');
      mkdirSync(fromDir, { recursive: true });
      glibcNode = join(root, 'node-glibc');
      writeFileSync(glibcNode, elf64('/lib64/ld-linux-x86-64.so.2'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const writePackage = (dir: string, name: string, version: string, withAddon = false) => {
      mkdirSync(join(dir, buildDir), { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version }));
      if (withAddon) writeFileSync(join(dir, buildDir, 'koffi.node'), '');
    };
    const modules = () => join(root, 'app', 'node_modules');

    it('takes the platform package beside koffi when the versions agree', () => {
      writePackage(join(modules(), 'koffi'), 'koffi', '9.1.0');
      writePackage(join(modules(), platformPackage), platformPackage, '9.1.0', true);
      expect(findKoffiAddon(fromDir, glibcNode)).toBe(join(modules(), platformPackage, buildDir, 'koffi.node'));
    });

    it("prefers koffi's own nested platform package, as koffi's require does", () => {
      writePackage(join(modules(), 'koffi'), 'koffi', '9.1.0');
      writePackage(join(modules(), platformPackage), platformPackage, '8.0.0', true);
      writePackage(join(modules(), 'koffi', 'node_modules', platformPackage), platformPackage, '9.1.0', true);
      expect(findKoffiAddon(fromDir, glibcNode)).toBe(join(modules(), 'koffi', 'node_modules', platformPackage, buildDir, 'koffi.node'));
    });

    it("gives up (koffi's loader decides) on a version mismatch, a musl Node, a missing addon or a package that is not koffi", () => {
      writePackage(join(modules(), 'koffi'), 'koffi', '9.1.0');
      writePackage(join(modules(), platformPackage), platformPackage, '9.0.0', true);
      expect(findKoffiAddon(fromDir, glibcNode)).toBeUndefined(); // another koffi's addon
      writePackage(join(modules(), platformPackage), platformPackage, '9.1.0');
      rmSync(join(modules(), platformPackage, buildDir, 'koffi.node'));
      expect(findKoffiAddon(fromDir, glibcNode)).toBeUndefined(); // package without the addon
      writeFileSync(join(modules(), platformPackage, buildDir, 'koffi.node'), '');
      expect(findKoffiAddon(fromDir, glibcNode)).toBeDefined();
      const muslNode = join(root, 'node-musl');
      writeFileSync(muslNode, elf64('/lib/ld-musl-x86_64.so.1'));
      expect(findKoffiAddon(fromDir, muslNode)).toBeUndefined(); // koffi would pick its musl build
      writeFileSync(join(modules(), 'koffi', 'package.json'), JSON.stringify({ name: 'not-koffi', version: '9.1.0' }));
      expect(findKoffiAddon(fromDir, glibcNode)).toBeUndefined(); // a directory named koffi that is not koffi
    });

    it('follows a linked koffi to where it really is (pnpm): its platform package is beside it there', () => {
      const store = join(root, 'store', 'koffi@9.1.0', 'node_modules');
      writePackage(join(store, 'koffi'), 'koffi', '9.1.0');
      writePackage(join(store, platformPackage), platformPackage, '9.1.0', true);
      mkdirSync(modules(), { recursive: true });
      symlinkSync(join(store, 'koffi'), join(modules(), 'koffi'));
      expect(findKoffiAddon(fromDir, glibcNode)).toBe(join(store, platformPackage, buildDir, 'koffi.node'));
    });

    it("walks up as Node's resolver does, skipping node_modules/node_modules", () => {
      // A koffi nested under nlkit wins over the app's, as Node would resolve it from nlkit's files.
      writePackage(join(modules(), 'koffi'), 'koffi', '9.1.0');
      writePackage(join(modules(), platformPackage), platformPackage, '9.1.0', true);
      const nested = join(modules(), 'nlkit', 'node_modules');
      writePackage(join(nested, 'koffi'), 'koffi', '9.2.0');
      writePackage(join(nested, platformPackage), platformPackage, '9.2.0', true);
      expect(findKoffiAddon(fromDir, glibcNode)).toBe(join(nested, platformPackage, buildDir, 'koffi.node'));
    });
  });
});
