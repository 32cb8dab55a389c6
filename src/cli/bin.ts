#!/usr/bin/env node
// The `nlkit` executable (package.json `bin`); everything is in main.ts.
import { main } from './main.js';

void main();
