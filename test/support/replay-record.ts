// With RECORD_REPLAY=1, the test run's teardown saves one history per workflow type the tests ran (a
// completed one where there is one) from every test file's namespace to test/replay/<type>.history (protobuf binary, as the server sends it), unless that
// type is already there. Those committed histories are what test/workflow/replay.test.ts replays against the
// current workflow code.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const REPLAY_DIR = path.resolve('test/replay');
/** A history this size is a bench's, not a sample: keep the committed files small. */
const MAX_BYTES = 1_500_000;

export async function recordHistories(address: string): Promise<string[]> {
  if (!process.env.RECORD_REPLAY) return [];
  const connection = await Connection.connect({ address });
  try {
    const { namespaces } = await connection.workflowService.listNamespaces({ pageSize: 1000 });
    const best = new Map<string, { client: Client; id: string; runId: string; completed: boolean }>();
    for (const ns of namespaces) {
      const name = ns.namespaceInfo?.name ?? '';
      if (!name.startsWith('cisflow-test-')) continue;
      const client = new Client({ connection, namespace: name });
      for await (const w of client.workflow.list()) {
        const had = best.get(w.type);
        const completed = w.status.name === 'COMPLETED';
        if (!had || (completed && !had.completed))
          best.set(w.type, { client, id: w.workflowId, runId: w.runId, completed });
      }
    }
    const written: string[] = [];
    for (const [type, w] of best) {
      const file = path.join(REPLAY_DIR, `${type}.history`);
      if (existsSync(file)) continue; // recorded before: the committed history stays
      const history = await w.client.workflow.getHandle(w.id, w.runId).fetchHistory();
      const bytes = temporal.api.history.v1.History.encode(history).finish();
      if (bytes.length > MAX_BYTES) continue;
      writeFileSync(file, bytes);
      written.push(type);
    }
    return written;
  } finally {
    await connection.close();
  }
}
