// The watched drop folder (METER_DROP_DIR), a poller in the worker process beside the Temporal workers (no
// workflow runs it): head-ends or an SFTP job drop read files in; the worker imports each one (format
// detected from its header, or .xml = Green Button), then moves it to processed/ or rejected/ with
// `<name>.result.json` beside it (the import's full report). A file still being written is left for the
// next pass: a file is taken only once its size has not changed for one poll.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Sql } from '../db/client.js';
import { type ImportReport, importMeterReads } from '../db/meter-import.js';
import { detectFormat } from '../domain/import/meter-reads.js';

export interface DropFolderOptions {
  dir: string;
  timeZone: string;
  /** files whose size changed since the last pass wait (the watcher passes its memory of sizes) */
  sizes?: Map<string, number>;
  maxBytes?: number;
}

export interface DropResult {
  file: string;
  status: ImportReport['status'];
  importId: string | null;
  movedTo: string;
}

const SKIP = /(\.result\.json|\.part|\.tmp|^\..*)$/;

/** One pass over the folder. Returns what it did with each file it took. */
export async function processDropFolder(sql: Sql, o: DropFolderOptions): Promise<DropResult[]> {
  const processed = path.join(o.dir, 'processed');
  const rejected = path.join(o.dir, 'rejected');
  mkdirSync(processed, { recursive: true });
  mkdirSync(rejected, { recursive: true });
  const out: DropResult[] = [];
  for (const name of readdirSync(o.dir).sort()) {
    if (SKIP.test(name)) continue;
    const full = path.join(o.dir, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    if (o.sizes) {
      const before = o.sizes.get(name);
      o.sizes.set(name, st.size);
      if (before !== st.size) continue; // still arriving, or first seen: take it on the next pass
      o.sizes.delete(name);
    }
    let report: ImportReport;
    if (st.size > (o.maxBytes ?? 500 * 1024 * 1024)) {
      report = fileReport(name, 'the file is larger than the drop folder accepts (500 MB)');
    } else {
      const text = readFileSync(full, 'utf8');
      const format = name.toLowerCase().endsWith('.xml') ? 'greenbutton' : detectFormat(text);
      report = format
        ? await importMeterReads(sql, {
            source: 'drop_folder',
            format,
            text,
            fileName: name,
            timeZone: o.timeZone,
          })
        : fileReport(
            name,
            'the header matches no known read format (generic, aclara, neptune, sensus, badger)',
          );
    }
    const dest = report.status === 'completed' ? processed : rejected;
    writeFileSync(path.join(dest, `${name}.result.json`), `${JSON.stringify(report, null, 2)}\n`);
    renameSync(full, path.join(dest, name));
    out.push({ file: name, status: report.status, importId: report.id || null, movedTo: dest });
  }
  return out;
}

function fileReport(name: string, message: string): ImportReport {
  const now = new Date().toISOString();
  return {
    id: '',
    object: 'meter_import',
    source: 'drop_folder',
    format: 'unknown',
    fileName: name,
    headEnd: null,
    batchId: null,
    status: 'rejected',
    phase: 'done',
    partial: false,
    counts: { total: 0, processed: 0, accepted: 0, duplicate: 0, rejected: 0 },
    message,
    rows: [{ row: 1, status: 'rejected', reason: message }],
    rowsComplete: true,
    createdAt: now,
    finishedAt: now,
    replayed: false,
  };
}

/** Polls the folder every `intervalMs` until stopped. One pass at a time; errors are logged, not fatal. */
export function startDropFolderWatcher(
  sql: Sql,
  o: {
    dir: string;
    timeZone: string;
    intervalMs?: number;
    log: { info: (o: object, m: string) => void; error: (o: object, m: string) => void };
  },
): { stop: () => Promise<void> } {
  const sizes = new Map<string, number>();
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    try {
      const results = await processDropFolder(sql, { dir: o.dir, timeZone: o.timeZone, sizes });
      for (const r of results) o.log.info({ ...r }, 'drop folder file imported');
    } catch (e) {
      o.log.error({ err: e, dir: o.dir }, 'drop folder pass failed');
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (stopped || busy) return;
    busy = true;
    running = tick().finally(() => {
      busy = false;
    });
  }, o.intervalMs ?? 5000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
