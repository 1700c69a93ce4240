// Unauthenticated requests do no heavy work: over a real socket, a 50 MB push with no signature (or from an
// unknown head-end) is answered 401 before 1 MB of it has been read, and the API's memory stays flat.
// Public routes without a signature scheme keep a small body limit.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_BODY_LIMIT } from '../../api/plugins/auth.js';
import type { Sql } from '../../db/client.js';
import { type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

const SECRET = 'unauthenticated-upload-secret-0123456789';
const MB = 1024 * 1024;
const prevSecrets = process.env.HEADEND_SECRETS;
let sql: Sql;
let app: TestApp;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  process.env.HEADEND_SECRETS = `acme=${SECRET}`;
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
  app.server.on('connection', (s: Socket) => sockets.push(s));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  process.env.HEADEND_SECRETS = prevSecrets;
  await app?.close();
});

/** Streams `total` bytes to the push endpoint, respecting backpressure, until the server answers. */
function upload(total: number, headers: Record<string, string>) {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const before = sockets.length;
  return new Promise<{
    status: number;
    body: string;
    clientWrote: number;
    serverReadAtAnswer: number;
    serverReadTotal: number;
  }>((resolve, reject) => {
    let wrote = 0;
    let answered = false;
    const serverRead = () => sockets.slice(before).reduce((n, s) => n + s.bytesRead, 0);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/head-end/reads',
      // chunked, with no Content-Length to refuse up front: the server only learns the size by reading
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers },
    });
    req.on('response', (res) => {
      answered = true;
      const clientWrote = wrote;
      const serverReadAtAnswer = serverRead();
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c;
      });
      res.on('end', () => {
        req.destroy();
        // let the server see the close, then count everything it ever read from this connection
        setTimeout(
          () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              clientWrote,
              serverReadAtAnswer,
              serverReadTotal: serverRead(),
            }),
          200,
        );
      });
    });
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const pump = () => {
      while (!answered && wrote < total) {
        wrote += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('unauthenticated uploads', () => {
  it('a 50 MB push with no signature is refused before 1 MB is read, and memory stays flat', async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const r = await upload(50 * MB, { 'x-cisflow-head-end': 'acme' });
    const rssAfter = process.memoryUsage().rss;
    console.log(
      `50 MB unsigned push: ${r.status}; server read ${r.serverReadAtAnswer} bytes by the answer, ` +
        `${r.serverReadTotal} in all; client had written ${r.clientWrote}; ` +
        `rss ${(rssBefore / MB).toFixed(1)} MB before, ${(rssAfter / MB).toFixed(1)} MB after`,
    );
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error).toMatchObject({
      type: 'authentication_error',
      code: 'signature_missing',
      param: 'X-Cisflow-Signature',
    });
    expect(r.serverReadAtAnswer).toBeLessThan(MB);
    expect(r.serverReadTotal).toBeLessThan(MB);
    expect(r.clientWrote).toBeLessThan(50 * MB); // answered while the upload was still going
    expect(rssAfter - rssBefore).toBeLessThan(20 * MB); // a body read in full would be 50 MB or more
  });

  it('an unknown head-end, or a stale signature, is refused the same way', async () => {
    const t = Math.floor(Date.now() / 1000);
    const sig = `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.x`).digest('hex')}`;
    const unknown = await upload(50 * MB, { 'x-cisflow-head-end': 'other', 'x-cisflow-signature': sig });
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.body).error.code).toBe('head_end_unknown');
    expect(unknown.serverReadTotal).toBeLessThan(MB);
    const old = t - 3600;
    const staleSig = `t=${old},v1=${createHmac('sha256', SECRET).update(`${old}.x`).digest('hex')}`;
    const stale = await upload(50 * MB, { 'x-cisflow-head-end': 'acme', 'x-cisflow-signature': staleSig });
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body).error.code).toBe('signature_expired');
    expect(stale.serverReadTotal).toBeLessThan(MB);
  });

  it('a well-signed push still gets its large limit; public routes keep a small one', async () => {
    const body = JSON.stringify({
      batchId: 'big-but-signed',
      reads: [{ meter: 'NO-SUCH-METER', readAt: '2026-10-01T00:00:00Z', value: '1' }],
      padding: 'x'.repeat(2 * MB),
    });
    const t = Math.floor(Date.now() / 1000);
    const signed = await app.inject({
      method: 'POST',
      url: '/head-end/reads',
      headers: {
        'content-type': 'application/json',
        'x-cisflow-head-end': 'acme',
        'x-cisflow-signature': `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`,
      },
      payload: body,
    });
    expect(signed.statusCode, signed.body).not.toBe(413); // read in full and imported (its row rejected)
    expect(signed.statusCode).toBe(422);
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'a@example.test', password: 'x'.repeat(PUBLIC_BODY_LIMIT) },
    });
    expect(login.statusCode).toBe(413);
    expect(login.json().error).toMatchObject({ type: 'invalid_request_error' });
  });
});
