// Customers and accounts: creation by staff, the account summary for staff and the account's own customers.
import { Type } from '@sinclair/typebox';
import { accountSummary, createCustomer, listAccounts, openAccount } from '../../db/accounts.js';
import { found } from '../errors.js';
import { STAFF, staffOrOwner } from '../plugins/auth.js';
import { created } from '../replies.js';
import { AccountSummary, Customer, IdParams, List, ListQuery } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

const AccountRef = Type.Object({
  id: Type.String(),
  object: Type.Literal('account'),
  accountNumber: Type.String(),
  customerId: Type.String(),
  customerName: Type.Optional(Type.String()),
  customerClass: Type.String(),
  billingCycle: Type.String(),
  paperless: Type.Boolean(),
  status: Type.String(),
});

export default async function accountRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.post(
    '/customers',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['accounts'],
        summary: 'Create a customer (a person or business)',
        body: Type.Object(
          {
            kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('business')])),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
            phone: Type.Optional(
              Type.String({ pattern: '^\\+[1-9]\\d{6,14}$', description: 'E.164, e.g. +15035550100' }),
            ),
            language: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('es')])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Customer },
      },
    },
    async (req, reply) => {
      return created(req, reply, 'customer', await createCustomer(sql, req.body));
    },
  );

  app.post(
    '/accounts',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['accounts'],
        summary: 'Open an account for a customer; the account number is assigned with a check digit',
        body: Type.Object(
          {
            customerId: Type.String({ minLength: 1, maxLength: 64 }),
            customerClass: Type.Optional(Type.String({ pattern: '^[a-z_]{2,30}$' })),
            billingCycle: Type.Optional(Type.String({ pattern: '^\\d{2}$' })),
            paperless: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: AccountRef },
      },
    },
    async (req, reply) => {
      return created(req, reply, 'account', await openAccount(sql, req.body));
    },
  );

  app.get(
    '/accounts',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['accounts'],
        summary: 'Find accounts by account number, customer name or service address',
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }),
        ]),
        response: { 200: List(AccountRef) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 20;
      const { accounts, hasMore } = await listAccounts(sql, {
        limit,
        startingAfter: req.query.starting_after,
        q: req.query.q?.trim(),
      });
      return {
        object: 'list' as const,
        data: accounts.map((a) => ({ ...a, object: 'account' as const })),
        has_more: hasMore,
      };
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['accounts'],
        summary:
          'The account as the customer and staff both see it: balance from the ledger, bills, payments, services',
        params: IdParams,
        response: { 200: AccountSummary },
      },
    },
    async (req) => {
      const s = found(await accountSummary(sql, req.params.id), 'account', req.params.id);
      return { ...s, object: 'account' as const } as never;
    },
  );
}
