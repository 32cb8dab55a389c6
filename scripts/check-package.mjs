#!/usr/bin/env node
/**
 * Checks the package a user installs, not the repository: `npm pack`s the
 * built dist/ (run `npm run build` first), unpacks the tarball into a
 * throwaway consumer project under the system temp directory, and there:
 *
 * 1. Type-checks consumer code against the packed .d.ts/.d.cts files with
 *    `tsc --strict`, target es2020 and its default libs, `skipLibCheck: false`,
 *    as an ES module and as CommonJS (module node16), and with
 *    moduleResolution bundler.
 * 2. Runs it: `import` and `require` of nlkit in one process must give the
 *    same classes (no dual-package hazard); importing the root must load no
 *    codec and not koffi; a subpath loads its family; `Rtnl.open` loads the
 *    link and address codecs but not those of routes, neighbours, rules,
 *    nexthops and bridge VLANs;
 *    the first routes call loads one more file with the route codec, and the
 *    first tc call the tc codec (`rt.qdiscs.list()`).
 * 3. Reports the packed and unpacked sizes and fails above SIZE_LIMIT.
 *
 * Needs only what `npm ci` installed (typescript, @types/node, koffi). Exits
 * non-zero with the reason on any failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
/** The unpacked package may not grow beyond this (bytes): today it is ~3 MB. */
const SIZE_LIMIT = 6 * 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), 'nlkit-package-'));
let failed = false;
const fail = (what) => {
  console.error(`check-package: FAIL ${what}`);
  failed = true;
};

try {
  // --- pack and unpack, as npm install would ---
  // --ignore-scripts: dist/ is already built, and prepack's build output would spoil --json.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: repo, encoding: 'utf8' }))[0];
  const project = join(work, 'consumer');
  const pkgDir = join(project, 'node_modules/nlkit');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', pkgDir, '--strip-components=1']);
  mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
  symlinkSync(join(repo, 'node_modules/koffi'), join(project, 'node_modules/koffi'));
  symlinkSync(join(repo, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'));
  console.log(`check-package: ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked`);
  if (packed.unpackedSize > SIZE_LIMIT) fail(`unpacked size ${packed.unpackedSize} bytes is above the limit of ${SIZE_LIMIT}`);
  const maps = packed.files.filter((f) => f.path.endsWith('.map'));
  if (maps.length) fail(`source maps in the package: ${maps.map((f) => f.path).join(', ')}`);

  // The built code is minified but in short lines: an uncaught error prints its source line.
  const longLines = packed.files
    .filter((f) => f.path.endsWith('.js'))
    .map((f) => ({ path: f.path, longest: Math.max(...readFileSync(join(pkgDir, f.path), 'utf8').split('\n').map((l) => l.length)) }))
    .filter((f) => f.longest > 1000);
  if (longLines.length) fail(`lines over 1,000 characters in ${longLines.map((f) => `${f.path} (${f.longest})`).join(', ')}`);

  // --- 1. types ---
  const subpaths = readdirSync(join(pkgDir, 'dist')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).filter((f) => f !== 'index' && f !== 'cli'); // cli: the nlkit executable, not a module
  const consumer = (kind) => `// A consumer of the packed nlkit (${kind}).
import { ArgumentError, Connection, GenericFamily, KernelError, NetNs, NetlinkProtocol, Rtnl } from 'nlkit';
import type { Address, Link, Route, rtRoute } from 'nlkit';
import * as rtLink from 'nlkit/rt-link';
import { linkFromMessage, Links, RtnlGroup, subscribe } from 'nlkit/rtnl';
${subpaths.map((s, i) => `import * as family${i} from 'nlkit/${s}';`).join('\n')}

export const families: object[] = [${subpaths.map((_, i) => `family${i}`).join(', ')}];

export async function main(): Promise<string[]> {
  const rt = await Rtnl.open();
  try {
    const links: Link[] = await rt.links.list();
    const addresses: Address[] = await rt.addresses.list();
    const routes: Route[] = await rt.routes.list();
    const up: number = rtLink.IfinfoFlags.up;
    const service: Links = rt.links;
    const type: rtRoute.RtmType = 'unicast';
    void [service, type, linkFromMessage, RtnlGroup.link, subscribe];
    return [...links.map((l) => l.name), String(addresses.length + routes.length + up)];
  } catch (err) {
    if (err instanceof KernelError) return [err.code];
    if (err instanceof ArgumentError) return [err.argument];
    throw err;
  } finally {
    rt.close();
  }
}

export function unused(): unknown[] {
  return [Connection, GenericFamily, NetNs, NetlinkProtocol.route];
}
`;
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  const base = { strict: true, target: 'es2020', skipLibCheck: false, noEmit: true, types: ['node'] };
  const checks = [
    { name: 'ESM, module node16', file: 'esm.mts', options: { module: 'node16', moduleResolution: 'node16' } },
    { name: 'CommonJS, module node16', file: 'cjs.cts', options: { module: 'node16', moduleResolution: 'node16' } },
    { name: 'ESM, module nodenext', file: 'esm.mts', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
    { name: 'bundler resolution', file: 'bundler.ts', options: { module: 'esnext', moduleResolution: 'bundler' } },
  ];
  for (const c of checks) {
    writeFileSync(join(project, c.file), consumer(c.name));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base, ...c.options }, files: [c.file] }, null, 2));
    const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    if (r.status !== 0) fail(`types (${c.name}, strict, es2020, skipLibCheck false):\n${r.stdout}${r.stderr}`);
    else console.log(`check-package: types ok: ${c.name}, strict, target es2020, default libs, skipLibCheck false`);
  }

  // --- 2. run time ---
  // Whether loaded code holds a family's codec: it defines one of the family's decoders that no
  // other family has (nlkit's services bundle their own copy of each codec with only what they
  // use, so the family's descriptor object need not be there). esbuild may add a digit to a name.
  const families = subpaths.filter((f) => existsSync(join(repo, 'src/generated', `${f}.ts`)));
  const decoders = Object.fromEntries(families.map((f) => [f, [...readFileSync(join(repo, 'src/generated', `${f}.ts`), 'utf8').matchAll(/^export function (decode\w+)\(/gm)].map((m) => m[1])]));
  const markers = Object.fromEntries(families.map((f) => [f, decoders[f].filter((name) => families.every((g) => g === f || !decoders[g].includes(name)))]));
  for (const f of families) if (!markers[f].length) fail(`${f}: no decoder of its own to recognise it by (the load checks below would pass blindly)`);
  const loadsFamily = (code, family) => markers[family].some((name) => new RegExp(`\\bfunction ${name}\\d*\\(`).test(code));
  const codeOf = (files) => files.map((u) => readFileSync(fileURLToPath(u), 'utf8')).join('\n');
  // A load hook records every file of the package that gets loaded.
  const loadedLog = join(work, 'loaded.txt');
  writeFileSync(join(project, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.includes('/node_modules/nlkit/')) appendFileSync(${JSON.stringify(loadedLog)}, url + '\\n');
  return next(url, context);
}
`);
  writeFileSync(join(project, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  writeFileSync(join(project, 'run.mjs'), `import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as esm from 'nlkit';
const require = createRequire(import.meta.url);
const problems = [];
const loaded = () => readFileSync(${JSON.stringify(loadedLog)}, 'utf8').trim().split('\\n');
const rootFiles = loaded();
// koffi's addon as mapped into this process (nlkit loads it by process.dlopen, so it is not in require's cache).
const koffiAddons = () => [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => l.endsWith('/koffi.node')).map((l) => l.slice(l.indexOf('/'))))];
if (Object.keys(require.cache).some((k) => k.includes('koffi')) || koffiAddons().length > 0) problems.push('importing nlkit loaded koffi');
const cjs = require('nlkit');
for (const name of ['KernelError', 'ArgumentError', 'NetlinkError', 'Rtnl', 'Connection']) {
  if (cjs[name] !== esm[name]) problems.push(name + ': require and import give different classes');
}
if (require('nlkit/ethtool').ethtoolFamily !== (await import('nlkit/ethtool')).ethtoolFamily) problems.push('nlkit/ethtool: require and import give different objects');
const rt = await esm.Rtnl.open();
// The socket loaded koffi's native addon directly, not through koffi's slower entry point (nothing of koffi in require's cache).
const koffiFiles = Object.keys(require.cache).filter((k) => k.includes('koffi'));
if (koffiFiles.length !== 0 || koffiAddons().length !== 1) problems.push('Rtnl.open did not load koffi by its addon alone: required ' + JSON.stringify(koffiFiles) + ', mapped ' + JSON.stringify(koffiAddons()));
const openFiles = loaded().filter((u) => !rootFiles.includes(u));
let routeFiles = [];
try {
  const links = await rt.links.list();
  if (!links.some((l) => l.name === 'lo')) problems.push('links.list() has no lo');
  try {
    await rt.links.get('nlkit-none0');
    problems.push('links.get of a missing link did not throw');
  } catch (err) {
    if (!(err instanceof cjs.KernelError) || !(err instanceof esm.KernelError)) problems.push('a KernelError is not instanceof KernelError of both require and import: ' + err);
    if (err.name !== 'KernelError' || err.code !== 'ENODEV') problems.push('KernelError name/code: ' + err.name + ' ' + err.code);
  }
  // The routes service and its codec load with the first routes call, in one file.
  const beforeRoutes = loaded();
  await rt.routes.list();
  routeFiles = loaded().filter((u) => !beforeRoutes.includes(u));
  await rt.qdiscs.list();
} finally {
  rt.close();
}
// What the first tc call loaded on top (the tc codec among it).
const tcFiles = loaded().filter((u) => !rootFiles.includes(u) && !openFiles.includes(u) && !routeFiles.includes(u));
// (After the calls: the nlkit/rtnl subpath loads every rtnetlink service.)
if (require('nlkit/rtnl').Rtnl !== esm.Rtnl) problems.push('nlkit/rtnl and nlkit give different Rtnl classes');
console.log(JSON.stringify({ problems, rootFiles, openFiles, routeFiles, tcFiles }));
`);
  // And the reverse: a program that uses only generic netlink loads no rtnetlink codec.
  writeFileSync(join(project, 'genl.mjs'), `import { readFileSync } from 'node:fs';
import { GenericFamily } from 'nlkit';
import * as netdev from 'nlkit/netdev';
const nd = await GenericFamily.open(netdev.netdevFamily);
try {
  await nd.dump('dev-get', {});
} finally {
  nd.close();
}
console.log(JSON.stringify({ files: readFileSync(${JSON.stringify(loadedLog)}, 'utf8').trim().split('\\n') }));
`);
  const g = spawnSync(process.execPath, ['--import', './register.mjs', 'genl.mjs'], { cwd: project, encoding: 'utf8' });
  if (g.status !== 0) fail(`generic netlink run: exit ${g.status}\n${g.stderr}`);
  else {
    const { files } = JSON.parse(g.stdout.trim().split('\n').pop());
    const genlCode = codeOf(files);
    const rt = families.filter((f) => f.startsWith('rt-') && loadsFamily(genlCode, f));
    if (rt.length) fail(`a generic netlink program loads rtnetlink codecs: ${rt.join(', ')}`);
    else console.log('check-package: run time ok: a generic netlink program (GenericFamily over netdev) loads no rtnetlink codec');
  }
  rmSync(loadedLog, { force: true });
  const r = spawnSync(process.execPath, ['--import', './register.mjs', 'run.mjs'], { cwd: project, encoding: 'utf8' });
  if (r.status !== 0) fail(`run time: exit ${r.status}\n${r.stderr}`);
  else {
    const { problems, rootFiles, openFiles, routeFiles, tcFiles } = JSON.parse(r.stdout.trim().split('\n').pop());
    for (const p of problems) fail(`run time: ${p}`);
    // What importing the root loaded must define no family at all; Rtnl.open loads the rtnetlink ones.
    const code = codeOf(rootFiles);
    const bytes = rootFiles.reduce((n, u) => n + statSync(fileURLToPath(u)).size, 0);
    const stray = families.filter((s) => loadsFamily(code, s));
    if (stray.length) fail(`importing nlkit loads these families' codecs: ${stray.join(', ')}`);
    const openCode = codeOf(openFiles);
    if (!loadsFamily(openCode, 'rt-link')) fail('Rtnl.open did not load rt-link (the check itself is broken)');
    // rtnetlink's own codecs and nothing else: no generic netlink family, not tc (its first call loads it).
    const openStray = families.filter((s) => !s.startsWith('rt-') && loadsFamily(openCode, s));
    if (openStray.length) fail(`Rtnl.open loads these families' codecs: ${openStray.join(', ')}`);
    // Routes, neighbours, rules, nexthops and bridge VLANs load on first use (rtnl/deferred-service.ts).
    const deferred = ['rt-route', 'rt-neigh', 'rt-rule', 'rt-nexthop', 'rt-link-bridge'].filter((f) => loadsFamily(openCode, f));
    if (deferred.length) fail(`Rtnl.open loads codecs that load on first use: ${deferred.join(', ')}`);
    if (routeFiles.length !== 1 || !loadsFamily(codeOf(routeFiles), 'rt-route')) fail(`the first routes call should load one file with rt-route, loaded: ${routeFiles.join(', ')}`);
    if (!loadsFamily(codeOf(tcFiles), 'tc')) fail('rt.qdiscs.list() did not load the tc codec');
    if (!problems.length && !stray.length && !openStray.length && !deferred.length) {
      console.log(`check-package: run time ok: import and require share one copy of every class; importing nlkit loads ${rootFiles.length} files (${(bytes / 1e3).toFixed(0)} kB), no codec, not koffi; Rtnl.open loads ${openFiles.length} more with the link and address codecs, and koffi's addon directly; the first routes call loads ${routeFiles.length} more; the first tc call loads the tc codec`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
