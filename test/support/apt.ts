// Debian packages the tests need (chromium, poppler-utils, PostgreSQL 15's tools), installed when missing:
// as root, non-interactively, with an `apt-get update` first only if the plain install fails (a clean
// machine may have no package lists yet). Returns null when `present()` holds, else the reason it cannot.
import { spawnSync } from 'node:child_process';

export function ensureDebianPackage(
  pkg: string,
  present: () => boolean,
  why: string,
  log: (m: string) => void = console.log,
): string | null {
  if (present()) return null;
  if (process.getuid?.() !== 0) return `${why} needs Debian's ${pkg} package; install it (as root)`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
  log(`installing ${pkg} for ${why} (apt-get install -y ${pkg})…`);
  let r = install();
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
    r = install();
  }
  if (r.status !== 0 || !present())
    return `apt-get install ${pkg} failed (${r.status}): ${(r.stderr ?? r.error?.message ?? '').slice(-500)}`;
  return null;
}
