// Message records: every message sent (or kept in the dev outbox) for an account, with its delivery state.
// Staff see them in the account view; a customer sees the history of their own accounts. Verification codes
// are never shown back: someone who added another person's number must not read that person's code here.
import { Type } from '@sinclair/typebox';
import { findAccount } from '../../db/accounts.js';
import {
  getMessage,
  listMessages,
  listNotifications,
  type MessageListItem,
  messageAccountId,
  messageEvents,
} from '../../db/messaging.js';
import { found, notFound } from '../errors.js';
import { idParam, STAFF, staffOrOwner } from '../plugins/auth.js';
import { IdParams, List, ListQuery, Nullable } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const When = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const Message = Type.Object({
  id: Type.String(),
  object: Type.Literal('message'),
  accountId: Nullable(Type.String()),
  notificationId: Nullable(Type.String()),
  alert: Type.String({ description: 'what the message is about (its template)' }),
  channel: Type.String(),
  to: Type.String(),
  subject: Nullable(Type.String()),
  body: Type.String(),
  language: Nullable(Type.String()),
  provider: Type.String({ description: 'sendgrid, twilio, or outbox (dev mode: stored, not sent)' }),
  providerId: Nullable(Type.String()),
  status: Type.String({
    description:
      'queued, sending, sent, delivered, failed, undelivered, bounced, dropped, spam_report, outbox',
  }),
  attempts: Type.Integer(),
  segments: Nullable(Type.Integer()),
  errorCode: Nullable(Type.String()),
  createdAt: When,
  sentAt: Nullable(When),
  statusAt: Nullable(When),
});

const hideSecrets = (m: MessageListItem) =>
  m.template === 'contact_verification'
    ? {
        ...m,
        body: m.channel === 'sms' ? '(verification code, not shown)' : '(verification link, not shown)',
      }
    : m;

export const messageView = (m: MessageListItem) => {
  const v = hideSecrets(m);
  return {
    id: v.id,
    object: 'message' as const,
    accountId: v.accountId,
    notificationId: v.notificationId,
    alert: v.template,
    channel: v.channel,
    to: v.toAddress,
    subject: v.subject,
    body: v.body,
    language: v.language,
    provider: v.provider,
    providerId: v.providerId,
    status: v.status,
    attempts: v.attempts,
    segments: v.segments,
    errorCode: v.errorCode,
    createdAt: v.createdAt,
    sentAt: v.sentAt,
    statusAt: v.statusAt,
  };
};

export default async function messageRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.get(
    '/accounts/:id/messages',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary:
          "The account's messages, newest first: who, what, when, channel, provider id and delivery state",
        params: IdParams,
        querystring: ListQuery,
        response: { 200: List(Message) },
      },
    },
    async (req) => {
      if (!(await findAccount(sql, req.params.id))) throw notFound('account', req.params.id);
      const page = await listMessages(sql, {
        accountId: req.params.id,
        limit: req.query.limit ?? 20,
        startingAfter: req.query.starting_after,
      });
      return { object: 'list' as const, data: page.data.map(messageView), has_more: page.hasMore };
    },
  );

  app.get(
    '/accounts/:id/notifications',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary:
          'What the account was to be told, newest first, including notices not sent (status skipped, with the reason)',
        params: IdParams,
        querystring: ListQuery,
        response: {
          200: List(
            Type.Object({
              id: Type.String(),
              object: Type.Literal('notification'),
              alert: Type.String(),
              status: Type.String({ description: 'pending, processed or skipped' }),
              urgent: Type.Boolean(),
              skippedBecause: Nullable(Type.String()),
              messages: Type.Integer({ description: 'messages sent for it' }),
              createdAt: When,
              processedAt: Nullable(When),
            }),
          ),
        },
      },
    },
    async (req) => {
      if (!(await findAccount(sql, req.params.id))) throw notFound('account', req.params.id);
      const page = await listNotifications(
        sql,
        req.params.id,
        req.query.limit ?? 20,
        req.query.starting_after,
      );
      return {
        object: 'list' as const,
        data: page.data.map((n) => ({
          id: n.id,
          object: 'notification' as const,
          alert: n.alert,
          status: n.status,
          urgent: n.urgent,
          skippedBecause: typeof n.data.skippedBecause === 'string' ? n.data.skippedBecause : null,
          messages: n.messages,
          createdAt: n.createdAt,
          processedAt: n.processedAt,
        })),
        has_more: page.hasMore,
      };
    },
  );

  app.get(
    '/messages',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['messages'],
        summary: 'All messages, newest first; ?status=outbox shows the dev outbox (no provider keys set)',
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({
            status: Type.Optional(Type.String({ maxLength: 20 })),
            channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms')])),
          }),
        ]),
        response: { 200: List(Message) },
      },
    },
    async (req) => {
      const q = req.query as { limit?: number; starting_after?: string; status?: string; channel?: string };
      const page = await listMessages(sql, {
        status: q.status,
        channel: q.channel,
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
      });
      return { object: 'list' as const, data: page.data.map(messageView), has_more: page.hasMore };
    },
  );

  app.get(
    '/messages/:id',
    {
      config: { access: staffOrOwner((req) => messageAccountId(sql, idParam(req))) },
      schema: {
        tags: ['messages'],
        summary: 'One message with its delivery history (attempts, provider answers, webhook events)',
        params: IdParams,
        response: {
          200: Type.Intersect([
            Message,
            Type.Object({
              events: Type.Array(
                Type.Object({
                  kind: Type.String(),
                  detail: Type.Record(Type.String(), Type.Unknown()),
                  at: When,
                }),
              ),
            }),
          ]),
        },
      },
    },
    async (req) => {
      const m = found(await getMessage(sql, req.params.id), 'message', req.params.id);
      const events = await messageEvents(sql, m.id);
      return {
        ...messageView(m),
        events: events.map((e) => ({ kind: e.kind, detail: e.detail, at: e.createdAt })),
      };
    },
  );
}
