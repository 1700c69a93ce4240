// The worker's /metrics: its own series, then what the Temporal core's exporter serves on the next port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { billsTotal } from '../../lib/metrics.js';
import { portFree, startWorkerMetrics } from '../../workers/metrics-server.js';

const servers: http.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** Two free consecutive ports: the worker's and the core exporter's. */
async function freePair(): Promise<number> {
  for (;;) {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    const next = http.createServer();
    const ok = await new Promise<boolean>((r) => {
      next.once('error', () => r(false));
      next.listen(port + 1, '127.0.0.1', () => r(true));
    });
    next.close();
    if (ok && port < 65534) return port;
  }
}

describe('worker /metrics', () => {
  it("serves this process's series followed by the Temporal SDK's, and nothing else", async () => {
    const port = await freePair();
    const core = http.createServer((_q, s) =>
      s.end(
        '# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available{worker_type="ActivityWorker"} 7\n',
      ),
    );
    await new Promise<void>((r) => core.listen(port + 1, '127.0.0.1', r));
    servers.push(core);
    const s = startWorkerMetrics(port, createLogger('test', 'silent'))!;
    servers.push(s);
    await new Promise((r) => s.once('listening', r));
    billsTotal.inc({ outcome: 'issued' }, 3);
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(body).toMatch(/cisflow_bills_total\{outcome="issued"\} \d+/);
    expect(body).toContain('temporal_worker_task_slots_available{worker_type="ActivityWorker"} 7');
    expect(body.indexOf('cisflow_bills_total')).toBeLessThan(body.indexOf('temporal_worker_task_slots'));
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    // the core exporter down: the worker's own series still come
    core.close();
    const alone = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(alone).toContain('cisflow_bills_total');
    expect(alone).not.toContain('temporal_worker_task_slots');
  });

  it('asks whether the SDK exporter port is free first: a taken one turns those metrics off, not the worker', async () => {
    const port = await freePair();
    expect(await portFree(port)).toBe(true);
    const taken = http.createServer();
    await new Promise<void>((r) => taken.listen(port, '127.0.0.1', r));
    servers.push(taken);
    expect(await portFree(port)).toBe(false);
  });

  it('is off with port 0', () => {
    expect(startWorkerMetrics(0, createLogger('test', 'silent'))).toBeNull();
  });
});
