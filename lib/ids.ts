// Resource ids look like Stripe's (`acct_01J…`): a noun prefix plus a time-ordered random part,
// so ids sort by creation and cursor pagination can use them directly.
import { randomFillSync } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix =
  | 'cust'
  | 'acct'
  | 'prem'
  | 'sp'
  | 'mtr'
  | 'sa'
  | 'rs'
  | 'rv'
  | 'rir'
  | 'read'
  | 'bill'
  | 'seg'
  | 'line'
  | 'je'
  | 'pay'
  | 'ref'
  | 'user'
  | 'adj'
  | 'inst'
  | 'dep'
  | 'exc'
  | 'msg'
  // leak episodes (db/leaks.ts)
  | 'leak'
  // messaging
  | 'ntf'
  | 'ntfb'
  | 'vrf'
  // staff accounts
  | 'inv'
  | 'smc'
  | 'bcast'
  // collections, disputes, service requests
  | 'dun'
  | 'arr'
  | 'disp'
  | 'sr'
  | 'so'
  | 'hold'
  // meter data and migration
  | 'imp'
  | 'mig'
  // --- gl ---
  | 'glx'
  // --- end gl ---
  // account recovery: a password reset link, a login email change
  | 'pwr'
  | 'emc';

let lastMs = 0;
let seq = 0;
// random bytes drawn a few kilobytes at a time: one system call per 1,000 ids, not one per id (a bill run
// makes about 15 ids per bill)
const pool = Buffer.alloc(10_240);
let poolAt = pool.length;

export function newId(prefix: IdPrefix, now = Date.now()): string {
  // A per-millisecond counter keeps ids from one process strictly increasing.
  if (now === lastMs) seq++;
  else {
    lastMs = now;
    seq = 0;
  }
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const counter = seq.toString(32).toUpperCase().padStart(3, '0').slice(-3);
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  let tail = '';
  for (let i = 0; i < 10; i++) tail += CROCKFORD[pool[poolAt++]! % 32];
  return `${prefix}_${time}${counter}${tail}`;
}
