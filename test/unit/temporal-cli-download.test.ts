// The Temporal CLI from its release archive: a local HTTP server serves a release-shaped archive and checksum
// file. A verified archive is unpacked into the cache; a checksum mismatch is refused and nothing is
// installed; a host that does not answer falls back to Go within 10 s; with neither, the message says what
// to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cachedBinary, resolveTemporalCli } from '../../dev/temporal.js';
import { archiveName, checksumsName, parseChecksums, releasePlatform } from '../../dev/temporal-download.js';
import { createLogger } from '../../lib/logger.js';

const VERSION = '1.5.1';
const log = createLogger('test', 'silent');
const work = mkdtempSync(path.join(os.tmpdir(), 'temporal-dl-'));
const platform = releasePlatform()!;
const file = archiveName(VERSION, platform);

// a release-shaped archive: the `temporal` binary (here a script that prints its version) at the top
mkdirSync(path.join(work, 'release'));
writeFileSync(
  path.join(work, 'release', 'temporal'),
  `#!/bin/sh\necho "temporal version ${VERSION} (test)"\n`,
  {
    mode: 0o755,
  },
);
execFileSync('tar', ['-czf', path.join(work, file), '-C', path.join(work, 'release'), 'temporal']);
const archive = readFileSync(path.join(work, file));
const sha = createHash('sha256').update(archive).digest('hex');

let served: { checksums: string; hang?: boolean };
let server: http.Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (served.hang) return; // accepts the connection, never answers
    if (req.url === `/v${VERSION}/${checksumsName(VERSION)}`) return res.end(served.checksums);
    if (req.url === `/v${VERSION}/${file}`) return res.end(archive);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(work, { recursive: true, force: true });
});

const cache = () => {
  const dir = mkdtempSync(path.join(work, 'cache-'));
  process.env.XDG_CACHE_HOME = dir;
  return dir;
};
const saved = process.env.XDG_CACHE_HOME;
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = saved;
  requests.length = 0;
});

/** No `temporal` on PATH; Go is "installed", and building with it is recorded rather than run. */
function fakeGo() {
  const builds: string[] = [];
  return {
    builds,
    lookup: (cmd: string) => (cmd === 'go' ? '/usr/local/go/bin/go' : undefined),
    build: async (_go: string, v: string) => {
      builds.push(v);
      return undefined;
    },
  };
}

describe('the Temporal CLI from its release archive', () => {
  it('reads goreleaser checksum lines', () => {
    const m = parseChecksums(
      `${'A'.repeat(64)}  temporal_cli_1.5.1_linux_amd64.tar.gz\nnot a line\n${'b'.repeat(64)} *x.zip\n`,
    );
    expect(m.get('temporal_cli_1.5.1_linux_amd64.tar.gz')).toBe('a'.repeat(64));
    expect(m.get('x.zip')).toBe('b'.repeat(64));
    expect(m.size).toBe(2);
  });

  it('downloads, verifies and caches the archive for this OS and architecture; the next start uses the cache', async () => {
    cache();
    served = { checksums: `${'0'.repeat(64)}  temporal_cli_${VERSION}_other_os.tar.gz\n${sha}  ${file}\n` };
    const go = fakeGo();
    const cli = await resolveTemporalCli(log, { downloadUrl: base, ...go });
    expect(cli).toEqual({ path: cachedBinary(VERSION), from: 'downloaded', version: VERSION });
    expect(go.builds).toEqual([]);
    expect(spawnSync(cli.path, ['--version'], { encoding: 'utf8' }).stdout).toContain(
      `temporal version ${VERSION}`,
    );
    expect(requests).toEqual([`/v${VERSION}/${checksumsName(VERSION)}`, `/v${VERSION}/${file}`]);
    requests.length = 0;
    expect((await resolveTemporalCli(log, { downloadUrl: base, ...go })).from).toBe('cache');
    expect(requests).toEqual([]);
  });

  it('refuses an archive that does not match its published checksum, installs nothing, and falls back to Go', async () => {
    const dir = cache();
    served = { checksums: `${'f'.repeat(64)}  ${file}\n` };
    const go = fakeGo();
    await expect(resolveTemporalCli(log, { downloadUrl: base, ...go })).rejects.toThrow(
      /Building the Temporal CLI with Go failed/,
    );
    expect(go.builds).toEqual(['1.5.1', '1.4.1', '1.3.0']);
    expect(existsSync(cachedBinary(VERSION))).toBe(false);
    // and no half-unpacked leftovers beside it
    expect(spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });

  it('falls back to Go within 10 s when the host does not answer', async () => {
    cache();
    served = { checksums: '', hang: true };
    const go = fakeGo();
    const started = Date.now();
    await expect(resolveTemporalCli(log, { downloadUrl: base, ...go })).rejects.toThrow(/with Go failed/);
    const took = Date.now() - started;
    expect(go.builds[0]).toBe('1.5.1');
    expect(took).toBeLessThan(10_000);
    served = { checksums: '' };
  }, 20_000);

  it('with no download and no Go, says what to do', async () => {
    cache();
    served = { checksums: '' }; // 200 with no checksum for the archive
    await expect(resolveTemporalCli(log, { downloadUrl: base, lookup: () => undefined })).rejects.toThrow(
      /could not be downloaded \(.*lists no checksum.*\), and Go is not installed[\s\S]*TEMPORAL_CLI_DOWNLOAD_URL[\s\S]*TEMPORAL_CLI_PATH[\s\S]*TEMPORAL_ADDRESS/,
    );
  });
});
