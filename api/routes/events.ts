// Live account updates for open portal and staff pages: Server-Sent Events fed by PostgreSQL LISTEN/NOTIFY,
// so a payment posted by any worker shows on every open page within a moment.
import { getAccount } from '../../db/accounts.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { notFound } from '../errors.js';
import { staffOrOwner } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

type Listener = (event: { type: string; accountId: string; [k: string]: unknown }) => void;

export default async function eventRoutes(app: App, deps: AppDeps) {
  const listeners = new Map<string, Set<Listener>>();
  let listening: Promise<{ unlisten: () => Promise<void> }> | null = null;
  const ensureListening = () => {
    listening ??= deps.sql.listen('account_events', (payload) => {
      try {
        const e = JSON.parse(payload) as { type: string; accountId: string };
        for (const l of listeners.get(e.accountId) ?? []) l(e);
      } catch {
        app.log.warn({ payload }, 'ignored a malformed account event');
      }
    }) as never;
    return listening;
  };
  app.addHook('onClose', async () => {
    if (listening) await (await listening).unlisten();
  });

  app.get(
    '/accounts/:id/events',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['accounts'],
        summary: 'Server-Sent Events: the balance after every payment or bill on the account',
        params: IdParams,
        produces: ['text/event-stream'],
      },
    },
    async (req, reply) => {
      const accountId = req.params.id;
      // staff may name any account: one that does not exist gets a 404, not a stream that never ends
      if (!(await getAccount(deps.sql, accountId))) throw notFound('account', accountId);
      await ensureListening();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'request-id': req.id,
      });
      const send = async (type: string, extra: Record<string, unknown> = {}) => {
        const balanceCents = await accountBalanceCents(deps.sql, accountId);
        res.write(`event: ${type}\ndata: ${JSON.stringify({ accountId, balanceCents, ...extra })}\n\n`);
      };
      const listener: Listener = (e) => void send(e.type, { ...e }).catch(() => {});
      const set = listeners.get(accountId) ?? new Set();
      set.add(listener);
      listeners.set(accountId, set);
      const ping = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
      req.raw.on('close', () => {
        clearInterval(ping);
        set.delete(listener);
        if (!set.size) listeners.delete(accountId);
      });
      await send('balance');
    },
  );
}
