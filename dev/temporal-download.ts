// The Temporal CLI's official release archive for this OS and architecture, checked against the release's
// published SHA-256 checksums before anything is unpacked into the cache. A host that does not answer gives up
// within seconds, so a machine without the internet falls back to `go install` at once.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';

export const DEFAULT_DOWNLOAD_URL = 'https://github.com/temporalio/cli/releases/download';

/** How long the checksum file may take to arrive: past it, the host counts as unreachable. */
const ANSWER_MS = 5_000;
/** The archive is about 30 MB; a slow line still gets there. */
const ARCHIVE_MS = 180_000;

/** The release's name for this machine, as its archives are named; null where no archive is published. */
export function releasePlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): { os: string; arch: string } | null {
  const o = platform === 'linux' ? 'linux' : platform === 'darwin' ? 'darwin' : null;
  const a = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : null;
  return o && a ? { os: o, arch: a } : null;
}

export const archiveName = (version: string, p: { os: string; arch: string }) =>
  `temporal_cli_${version}_${p.os}_${p.arch}.tar.gz`;
export const checksumsName = (version: string) => `temporal_cli_${version}_checksums.txt`;

/** `<sha256>  <file>` lines, as goreleaser writes them → file → lower-case hex. */
export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(line.trim());
    if (m) out.set(m[2]!, m[1]!.toLowerCase());
  }
  return out;
}

export class DownloadRefused extends Error {}

async function get(url: string, ms: number): Promise<Buffer> {
  const r = await fetch(url, { signal: AbortSignal.timeout(ms), redirect: 'follow' });
  if (!r.ok) throw new Error(`${url} answered ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

/**
 * Downloads v`version` into `target` (the cache's path for it). Returns the path, or throws: DownloadRefused
 * when the archive does not match its published checksum (nothing is installed), any other error when the
 * release could not be fetched.
 */
export async function downloadRelease(
  version: string,
  target: string,
  o: { baseUrl: string; log: Logger; platform?: { os: string; arch: string } | null },
): Promise<string> {
  const p = o.platform === undefined ? releasePlatform() : o.platform;
  if (!p)
    throw new Error(`no Temporal CLI release archive is published for ${process.platform}/${process.arch}`);
  const base = `${o.baseUrl.replace(/\/$/, '')}/v${version}`;
  const file = archiveName(version, p);
  const started = Date.now();
  o.log.info({ url: `${base}/${file}` }, `Downloading the Temporal CLI v${version} release`);
  const sums = parseChecksums((await get(`${base}/${checksumsName(version)}`, ANSWER_MS)).toString('utf8'));
  const want = sums.get(file);
  if (!want) throw new DownloadRefused(`${checksumsName(version)} lists no checksum for ${file}`);
  const archive = await get(`${base}/${file}`, ARCHIVE_MS);
  const got = createHash('sha256').update(archive).digest('hex');
  if (got !== want)
    throw new DownloadRefused(`${file} has SHA-256 ${got}, but the release publishes ${want}: not installed`);
  // unpack beside the cache entry, then move the binary in: a half-written file never looks installed
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = mkdtempSync(path.join(path.dirname(target), '.download-'));
  try {
    writeFileSync(path.join(tmp, file), archive);
    const tar = spawnSync('tar', ['-xzf', file, 'temporal'], { cwd: tmp, encoding: 'utf8' });
    const bin = path.join(tmp, 'temporal');
    if (tar.status !== 0 || !existsSync(bin))
      throw new DownloadRefused(
        `${file} holds no temporal binary (${tar.stderr.trim() || `tar exited ${tar.status}`})`,
      );
    chmodSync(bin, 0o755);
    renameSync(bin, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  o.log.info(
    { seconds: Math.round((Date.now() - started) / 100) / 10, path: target },
    'Temporal CLI downloaded, verified and cached',
  );
  return target;
}
