// The worker's GET /metrics: this process's own series (lib/metrics.ts: activity times, bill pipeline phases,
// bills and payments) followed by the Temporal SDK's worker metrics, which its Rust core serves on a second,
// loopback-only port (Runtime telemetry); one scrape sees both.
import http from 'node:http';
import net from 'node:net';
import type { Logger } from '../lib/logger.js';
import { registry } from '../lib/metrics.js';

/** Where the Temporal core's Prometheus exporter listens: the worker's metrics port + 1, on loopback. */
export const coreMetricsAddress = (port: number) => `127.0.0.1:${port + 1}`;

/**
 * Whether 127.0.0.1:`port` can be listened on now. The core's exporter fails the whole runtime when its port
 * is taken (a second worker on the host, one still stopping), so the worker asks first and goes without.
 */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export function startWorkerMetrics(port: number, log: Logger): http.Server | null {
  if (!port) return null;
  const core = `http://${coreMetricsAddress(port)}/metrics`;
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const own = await registry.metrics();
    const sdk = await fetch(core, { signal: AbortSignal.timeout(2000) })
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    res.writeHead(200, { 'content-type': registry.contentType }).end(`${own}\n${sdk}`);
  });
  // a second worker on the same host with the same port: it runs on, without metrics, and says so
  server.on('error', (err) =>
    log.warn({ err, port }, 'worker metrics not served: set WORKER_METRICS_PORT per worker on one host'),
  );
  // bound to loopback: a Prometheus agent on the same host scrapes it; nothing beyond the host reaches it
  server.listen(port, '127.0.0.1', () =>
    log.info({ url: `http://127.0.0.1:${port}/metrics` }, 'worker metrics'),
  );
  return server;
}
