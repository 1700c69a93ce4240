// Run by bundleInChild (workers/bundle.ts): bundles the workflow code and writes it to the file named.
import { writeFile } from 'node:fs/promises';
import { bundle } from './bundle.js';

const out = process.argv[2];
if (!out) throw new Error('usage: bundle-child.ts <output file>');
await writeFile(out, (await bundle()).code);
