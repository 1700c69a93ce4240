// What a new portal password must be: long enough, not one of the most common passwords (a shipped list,
// compared ignoring case), and not one repeated character. Returns why it is refused, or null.
import { readFileSync } from 'node:fs';

const COMMON = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')),
);

export function passwordProblem(password: string, minLength: number): string | null {
  const p = password.normalize('NFKC');
  if ([...p].length < minLength) return `Use at least ${minLength} characters`;
  const lower = p.toLowerCase();
  if (COMMON.has(lower) || COMMON.has(lower.replace(/[\d!@#$%^&*.]+$/, '')))
    return 'That password is too common; choose another';
  if (new Set(lower).size < 3) return 'That password is too simple; choose another';
  return null;
}
