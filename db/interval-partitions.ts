// meter_interval's monthly partitions: created ahead (and by an import for any month it touches), detached
// and dropped once older than the retention. Creating attaches an empty table, which takes only a SHARE
// UPDATE EXCLUSIVE lock on meter_interval (reads and imports go on); dropping detaches CONCURRENTLY first.
import {
  INTERVAL_PARTITION_POLICY,
  type IntervalPartitionPolicy,
  type Month,
  monthBounds,
  partitionMonth,
  partitionName,
  partitionPlan,
} from '../domain/intervals/partitions.js';
import type { Sql } from './client.js';

const LOCK = 'cisflow.interval-partitions';

export interface IntervalPartition {
  name: string;
  month: Month;
  /** a DETACH CONCURRENTLY that stopped half way: finalized by the next drop */
  detachPending: boolean;
}

/** The partitions attached (or half detached) now, oldest first. */
export async function intervalPartitions(sql: Sql): Promise<IntervalPartition[]> {
  const rows = await sql<{ name: string; detachPending: boolean }[]>`
    select c.relname as name, i.inhdetachpending as detach_pending
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'meter_interval'::regclass`;
  return rows
    .map((r) => ({ ...r, month: partitionMonth(r.name)! }))
    .filter((r) => r.month)
    .sort((a, b) => (a.month < b.month ? -1 : 1));
}

/** Makes sure each month has its partition; returns the months it created. Safe to run concurrently. */
export async function ensureIntervalPartitions(sql: Sql, months: Month[]): Promise<Month[]> {
  const want = [...new Set(months)].sort();
  if (!want.length) return [];
  const have = new Set((await intervalPartitions(sql)).map((p) => p.month));
  const created: Month[] = [];
  for (const m of want) {
    if (have.has(m)) continue;
    const name = partitionName(m);
    const { from, to } = monthBounds(m);
    const made = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${LOCK}))`;
      const [exists] = await tx`select 1 from pg_inherits where inhrelid = to_regclass(${name})`;
      if (exists) return false;
      // a table of that name left unattached (a failed earlier attempt) is empty or ours: attach it as is
      await tx.unsafe(
        `create table if not exists ${name} (like meter_interval including defaults including constraints)`,
      );
      // ATTACH builds the partition's primary key and BRIN from meter_interval's
      await tx.unsafe(
        `alter table meter_interval attach partition ${name} for values from ('${from}') to ('${to}')`,
      );
      return true;
    });
    if (made) created.push(m);
  }
  return created;
}

/**
 * Detaches and drops every partition for a month before `oldestKept`. DETACH … CONCURRENTLY cannot run in a
 * transaction, so this holds a session advisory lock on a reserved connection instead.
 */
export async function dropIntervalPartitionsBefore(sql: Sql, oldestKept: Month): Promise<Month[]> {
  const old = (await intervalPartitions(sql)).filter((p) => p.month < oldestKept);
  if (!old.length) return [];
  const conn = await sql.reserve();
  const dropped: Month[] = [];
  try {
    await conn`select pg_advisory_lock(hashtext(${LOCK}))`;
    try {
      for (const p of old) {
        await conn.unsafe(
          `alter table meter_interval detach partition ${p.name} ${p.detachPending ? 'finalize' : 'concurrently'}`,
        );
        await conn.unsafe(`drop table ${p.name}`);
        dropped.push(p.month);
      }
    } finally {
      await conn`select pg_advisory_unlock(hashtext(${LOCK}))`;
    }
  } finally {
    conn.release();
  }
  return dropped;
}

/** The daily job: the current month and the months ahead exist; months past the retention are gone. */
export async function maintainIntervalPartitions(
  sql: Sql,
  now: Date,
  policy: Partial<IntervalPartitionPolicy> = {},
): Promise<{ created: Month[]; dropped: Month[]; oldestKept: Month }> {
  const plan = partitionPlan(now, { ...INTERVAL_PARTITION_POLICY, ...policy });
  const created = await ensureIntervalPartitions(sql, plan.ensure);
  const dropped = await dropIntervalPartitionsBefore(sql, plan.oldestKept);
  return { created, dropped, oldestKept: plan.oldestKept };
}
