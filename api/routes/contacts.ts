// Contacts: the email addresses and mobile numbers messages go to. A new contact is verified before it is
// used (an email link, or a 6-digit SMS code); a mobile number is added with the customer's SMS consent (the
// wording's version and language, stored with the time); the last confirmed contact alerts still need cannot
// be removed (409 contact_needed). Staff see contacts flagged by a bounce, a spam report or an invalid number.
import { Type } from '@sinclair/typebox';
import { findAccount } from '../../db/accounts.js';
import {
  addContactCapped,
  type Contact,
  findContact,
  flaggedContacts,
  getContact,
  listContacts,
  normalizeEmail,
  normalizePhone,
  removeContact,
  verificationsLastDay,
  verificationsLastHour,
  verifyContact,
  verifyEmailLink,
} from '../../db/contacts.js';
import { sendContactVerification } from '../../db/messaging.js';
import { messagingPolicy } from '../../domain/messages/policy.js';
import { SMS_CONSENT_VERSION } from '../../domain/messages/sms-consent.js';
import { ApiError, found, notFound } from '../errors.js';
import { STAFF, staffOrOwner } from '../plugins/auth.js';
import { IdParams, List, Nullable } from '../schemas.js';
import { authSettings } from '../throttle.js';
import type { App, AppDeps } from '../types.js';

const When = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
const ContactSchema = Type.Object({
  id: Type.String(),
  object: Type.Literal('contact'),
  kind: Type.String(),
  value: Type.String(),
  verified: Type.Boolean(),
  status: Type.String({
    description: 'active, invalid (provider said so) or suppressed (bounce, spam report)',
  }),
  flag: Nullable(Type.String()),
  optedOut: Type.Boolean({ description: 'the number sent STOP' }),
  smsConsent: Nullable(
    Type.Object(
      { textVersion: Type.String(), at: When },
      { description: 'when the customer agreed to texts' },
    ),
  ),
});
/** `/accounts/:id/contacts/:contactId` */
const ContactParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  contactId: Type.String({ maxLength: 64 }),
});
const view = (c: Contact) => ({
  id: c.id,
  object: 'contact' as const,
  kind: c.kind,
  value: c.value,
  verified: c.verifiedAt !== null,
  status: c.status,
  flag: c.flag,
  optedOut: c.optedOut,
  smsConsent:
    c.smsConsentAt && c.smsConsentVersion ? { textVersion: c.smsConsentVersion, at: c.smsConsentAt } : null,
});

const MAX_SENDS_PER_HOUR = 5;

const VERIFY_ERRORS: Record<string, string> = {
  wrong_code: 'That code is not right',
  expired: 'That code has expired; ask for a new one',
  too_many_attempts: 'Too many wrong tries; ask for a new code',
  no_pending_code: 'There is no code waiting for this contact; ask for a new one',
};

export default async function contactRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const ttl = messagingPolicy().verificationTtlMinutes;
  // each contact can cost an SMS: a cap on contacts and on verification messages per customer per day
  const caps = authSettings(deps).policy.contacts;
  const dailyCapReached = async (customerId: string, param: string) => {
    if ((await verificationsLastDay(sql, customerId)) < caps.verificationsPerDay) return;
    throw new ApiError(
      429,
      'invalid_request_error',
      'too_many_verification_messages',
      `At most ${caps.verificationsPerDay} verification messages a day for one account; try again tomorrow`,
      param,
    );
  };
  const customerOf = async (accountId: string) =>
    found(await findAccount(sql, accountId), 'account', accountId).customerId;
  const contactOf = async (accountId: string, contactId: string) => {
    const customerId = await customerOf(accountId);
    const c = await getContact(sql, contactId);
    if (!c || c.customerId !== customerId || !['email', 'sms'].includes(c.kind))
      throw notFound('contact', contactId, 'contactId');
    return c;
  };
  /** a new secret, sent to the contact itself through the messaging outbox */
  const sendVerification = async (accountId: string, c: Contact, param = 'contactId') => {
    await dailyCapReached(c.customerId, param);
    // each send costs money and lands on someone's phone: a few per contact per hour
    if ((await verificationsLastHour(sql, c.id)) >= MAX_SENDS_PER_HOUR)
      throw new ApiError(
        429,
        'invalid_request_error',
        'too_many_verification_messages',
        `At most ${MAX_SENDS_PER_HOUR} codes an hour for one contact; try again later`,
        'contactId',
      );
    await sendContactVerification(sql, { accountId, contact: c, ttlMinutes: ttl, publicUrl: deps.publicUrl });
  };

  app.get(
    '/accounts/:id/contacts',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary: "The customer's email addresses and mobile numbers",
        params: IdParams,
        response: {
          200: List(ContactSchema),
        },
      },
    },
    async (req) => ({
      object: 'list' as const,
      data: (await listContacts(sql, await customerOf(req.params.id))).map(view),
      has_more: false,
    }),
  );

  app.post(
    '/accounts/:id/contacts',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary:
          'Add an email address or mobile number; a verification link (email) or 6-digit code (SMS) is sent to it. Sending it again sends a new code.',
        params: IdParams,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
            value: Type.String({ minLength: 3, maxLength: 254 }),
            consent: Type.Optional(
              Type.Object(
                {
                  textVersion: Type.String({
                    maxLength: 40,
                    description: `the version of the SMS consent wording shown (now ${SMS_CONSENT_VERSION})`,
                  }),
                  language: Type.Union([Type.Literal('en'), Type.Literal('es')]),
                },
                {
                  additionalProperties: false,
                  description: 'required for a mobile number: the SMS consent the customer agreed to',
                },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: ContactSchema },
      },
    },
    async (req, reply) => {
      const { consent } = req.body;
      if (req.body.kind === 'sms' && !consent)
        throw new ApiError(
          400,
          'invalid_request_error',
          'consent_required',
          'A mobile number needs the customer’s agreement to receive texts',
          'consent',
        );
      if (req.body.kind === 'sms' && consent?.textVersion !== SMS_CONSENT_VERSION)
        throw new ApiError(
          400,
          'invalid_request_error',
          'consent_outdated',
          `That is not the SMS consent wording in use (${SMS_CONSENT_VERSION}); reload the page and agree again`,
          'consent.textVersion',
        );
      const customerId = await customerOf(req.params.id);
      const value =
        req.body.kind === 'email' ? normalizeEmail(req.body.value) : normalizePhone(req.body.value);
      if (!value)
        throw new ApiError(
          400,
          'invalid_request_error',
          req.body.kind === 'email' ? 'invalid_email' : 'invalid_phone',
          req.body.kind === 'email'
            ? 'That is not an email address'
            : 'That is not a phone number (use +1 and 10 digits, or 10 digits)',
          'value',
        );
      // a contact that will need a code: refuse before anything is added when today's codes are used up
      const known = await findContact(sql, customerId, req.body.kind, value);
      if (!known?.verifiedAt || known.status !== 'active') await dailyCapReached(customerId, 'value');
      const id = await addContactCapped(
        sql,
        customerId,
        req.body.kind,
        value,
        caps.maxPerCustomer,
        req.body.kind === 'sms' ? consent : undefined,
      );
      if (!id)
        throw new ApiError(
          409,
          'invalid_request_error',
          'too_many_contacts',
          `An account can have at most ${caps.maxPerCustomer} email addresses and mobile numbers`,
          'value',
        );
      const c = (await getContact(sql, id))!;
      if (!c.verifiedAt) await sendVerification(req.params.id, c, 'value');
      req.auditResource = { type: 'contact', id, detail: { kind: c.kind } };
      return reply.status(201).send(view(c));
    },
  );

  app.delete(
    '/accounts/:id/contacts/:contactId',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary:
          'Remove an email address or mobile number; refused (409 contact_needed) for the last confirmed one alerts go to',
        params: ContactParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const c = await contactOf(req.params.id, req.params.contactId);
      await removeContact(sql, c.customerId, c.id);
      req.auditResource = { type: 'contact', id: c.id, detail: { kind: c.kind, removed: true } };
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/accounts/:id/contacts/:contactId/verify',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary: 'Confirm a contact with the code sent to it (5 tries per code)',
        params: ContactParams,
        body: Type.Object(
          { code: Type.String({ minLength: 4, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: ContactSchema },
      },
    },
    async (req) => {
      const c = await contactOf(req.params.id, req.params.contactId);
      const r = await verifyContact(sql, c.id, req.body.code.trim());
      if (r !== 'verified')
        throw new ApiError(
          r === 'wrong_code' ? 400 : 409,
          'invalid_request_error',
          r,
          VERIFY_ERRORS[r]!,
          'code',
        );
      req.auditResource = { type: 'contact', id: c.id, detail: { verified: true } };
      return view((await getContact(sql, c.id))!);
    },
  );

  app.post(
    '/accounts/:id/contacts/:contactId/verification',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['messages'],
        summary: 'Send a new verification code or link to a contact',
        params: ContactParams,
        response: {
          202: Type.Object({
            object: Type.Literal('verification'),
            contactId: Type.String(),
            sent: Type.Boolean(),
          }),
        },
      },
    },
    async (req, reply) => {
      const c = await contactOf(req.params.id, req.params.contactId);
      if (c.status !== 'active')
        throw new ApiError(
          409,
          'invalid_request_error',
          'contact_unusable',
          `This contact is ${c.status}: ${c.flag ?? ''}`.trim(),
          'contactId',
        );
      await sendVerification(req.params.id, c);
      req.auditResource = { type: 'contact', id: c.id, detail: { verificationSent: true } };
      return reply.status(202).send({ object: 'verification' as const, contactId: c.id, sent: true });
    },
  );

  app.post(
    '/contacts/verify',
    {
      // the token from the emailed link is the credential (32 random bytes, single use, expiring)
      config: { access: { public: true } },
      schema: {
        tags: ['messages'],
        summary: 'Confirm an email address with the token from the emailed link',
        body: Type.Object(
          { token: Type.String({ minLength: 10, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ object: Type.Literal('contact_verification'), verified: Type.Boolean() }),
        },
      },
    },
    async (req) => {
      const r = await verifyEmailLink(sql, req.body.token);
      if (r !== 'verified')
        throw new ApiError(
          400,
          'invalid_request_error',
          r === 'wrong_code' ? 'token_invalid' : r,
          r === 'wrong_code' ? 'That link is not valid' : VERIFY_ERRORS[r]!,
          'token',
        );
      return { object: 'contact_verification' as const, verified: true };
    },
  );

  app.get(
    '/contacts/flagged',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['messages'],
        summary: 'Contacts flagged for staff: bounced or spam-reported email, invalid numbers',
        response: {
          200: List(
            Type.Intersect([
              ContactSchema,
              Type.Object({ customerId: Type.String(), flaggedAt: Nullable(When) }),
            ]),
          ),
        },
      },
    },
    async () => {
      const rows = await flaggedContacts(sql, 200);
      return {
        object: 'list' as const,
        data: rows.map((c) => ({ ...view(c), customerId: c.customerId, flaggedAt: c.flaggedAt })),
        has_more: rows.length === 200,
      };
    },
  );
}
