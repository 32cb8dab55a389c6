#!/usr/bin/env node
/**
 * Writes nlkit's CommonJS entry points after `tsup` has built the ES modules
 * in dist/: for every entry `dist/NAME.js` a `dist/NAME.cjs` that loads that
 * very module with require() (Node ≥ 20.19 and ≥ 22.12 load ES modules
 * synchronously), and for every declaration file under `dist/types` (emitted
 * by tsc) a `.d.cts` twin whose relative imports point at the twins, so that
 * TypeScript sees a CommonJS module where require() is used.
 *
 * Why not a second, CommonJS build: two builds are two copies of every class,
 * so `err instanceof KernelError` fails when one part of a program imports
 * nlkit and another requires it. Re-exporting the ES module keeps one copy.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const files = readdirSync(dist);

let entries = 0;
for (const file of files) {
  if (!file.endsWith('.js')) continue;
  const name = file.slice(0, -3);
  const subpath = name === 'index' ? 'nlkit' : `nlkit/${name}`;
  writeFileSync(
    join(dist, `${name}.cjs`),
    `'use strict';
// ${subpath} is an ES module; this CommonJS entry loads that same module, so that code which
// requires nlkit and code which imports it share one copy of every class.
if (!process.features.require_module) {
  throw new Error("require('${subpath}') needs a Node.js that can require ES modules (20.19+, 22.12+); use import, or upgrade Node.js");
}
module.exports = require('./${file}');
`,
  );
  entries++;
}

let types = 0;
for (const file of readdirSync(join(dist, 'types'), { recursive: true })) {
  if (!file.endsWith('.d.ts')) continue;
  const path = join(dist, 'types', file);
  const text = readFileSync(path, 'utf8').replace(/(from\s+|import\()(['"])(\.\.?\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2');
  writeFileSync(`${path.slice(0, -5)}.d.cts`, text);
  types++;
}
console.log(`package-cjs: ${entries} CommonJS entries, ${types} .d.cts files`);
