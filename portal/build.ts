// Builds the portal and staff console from portal/src with esbuild: Preact + Chart.js, one bundle per page
// plus shared chunks. The API builds in memory when it first serves an asset (or at listen), so `npm start`
// and every test see the current sources with no build step to remember; `npm run build:portal` writes the
// same files to portal/dist (git-ignored) for a CDN or a look at the output.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const PORTAL_DIR = path.dirname(fileURLToPath(import.meta.url));

export interface BuiltAsset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export async function buildPortal(opts: { write?: boolean } = {}): Promise<Map<string, BuiltAsset>> {
  const outdir = path.join(PORTAL_DIR, 'dist');
  const r = await build({
    absWorkingDir: PORTAL_DIR,
    entryPoints: { portal: 'src/portal.tsx', staff: 'src/staff.tsx' },
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir,
    write: opts.write ?? false,
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    chunkNames: 'chunk-[hash]',
    legalComments: 'linked',
    logLevel: 'silent',
  });
  const assets = new Map<string, BuiltAsset>();
  for (const f of r.outputFiles ?? []) {
    const name = path.basename(f.path);
    const body = Buffer.from(f.contents);
    assets.set(name, {
      body,
      type: TYPES[path.extname(name)] ?? 'text/plain; charset=utf-8',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
    });
  }
  return assets;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildPortal({ write: true });
  console.log(`portal built into ${path.join(PORTAL_DIR, 'dist')} in ${Date.now() - t0} ms`);
}
