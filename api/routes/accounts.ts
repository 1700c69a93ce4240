// Customers and accounts: creation by staff, the account summary for staff and the account's own customers.
import { Type } from '@sinclair/typebox';
import { accountSummary, createAccount, createCustomer } from '../../db/accounts.js';
import { notFound } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
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
      const c = await createCustomer(sql, req.body);
      req.auditResource = { type: 'customer', id: c.id };
      return reply.status(201).send({ ...(c as never as object), object: 'customer' } as never);
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
      const [cust] = await sql`select 1 from customer where id = ${req.body.customerId}`;
      if (!cust) throw notFound('customer', req.body.customerId, 'customerId');
      const a = await createAccount(sql, req.body);
      req.auditResource = { type: 'account', id: a.id };
      return reply.status(201).send({ ...(a as never as object), object: 'account' } as never);
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
      const after = req.query.starting_after ?? '';
      const q = req.query.q?.trim();
      const like = q ? `%${q.replace(/[%_\\]/g, '\\$&')}%` : null;
      const rows = await sql`
        select a.id, a.account_number, a.customer_id, c.name as customer_name, a.customer_class, a.billing_cycle, a.paperless, a.status
        from account a join customer c on c.id = a.customer_id
        where a.id > ${after}
          ${
            like
              ? sql`and (a.account_number like ${like} or c.name ilike ${like} or exists (
                  select 1 from service_agreement sa join service_point sp on sp.id = sa.service_point_id
                  join premise p on p.id = sp.premise_id where sa.account_id = a.id and p.address_line1 ilike ${like}))`
              : sql``
          }
        order by a.id limit ${limit + 1}`;
      return {
        object: 'list' as const,
        data: rows.slice(0, limit).map((r) => ({ ...(r as never as object), object: 'account' })) as never,
        has_more: rows.length > limit,
      };
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: {
        access: { staff: STAFF.any, customer: { account: (req) => (req.params as { id: string }).id } },
      },
      schema: {
        tags: ['accounts'],
        summary:
          'The account as the customer and staff both see it: balance from the ledger, bills, payments, services',
        params: IdParams,
        response: { 200: AccountSummary },
      },
    },
    async (req) => {
      const s = await accountSummary(sql, req.params.id);
      if (!s) throw notFound('account', req.params.id);
      return { ...s, object: 'account' as const } as never;
    },
  );
}
