// Saved payment methods (cards and bank accounts kept at Stripe on the account's Customer): which one an
// account may charge, for a payment or for autopay, the list the portal shows, and the customer's own
// changes: add one (a SetupIntent the browser confirms with Stripe.js), make one the default, remove one.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import Stripe from 'stripe';
import { ensureStripeCustomer } from '../activities/payments.js';
import { accountStripeCustomer } from '../db/accounts.js';
import { removeMethodUnlessAutopay } from '../db/autopay.js';
import type { Sql } from '../db/client.js';
import { noSuch } from '../db/refused.js';
import { ApiError } from './errors.js';

type Deps = { sql: Sql; stripe: Stripe | null };

export const pmRef = (description: string) =>
  Type.String({ pattern: '^pm_[A-Za-z0-9_]{3,100}$', description });

const invalidMethod = (message: string, param = 'paymentMethodRef') =>
  new ApiError(400, 'invalid_request_error', 'payment_method_invalid', message, param);

/**
 * A saved method may be charged for an account only if Stripe has it attached to that account's Customer
 * (and it is of the kind asked for). 404 if the account does not exist; 400 otherwise; 502 if Stripe does
 * not answer.
 */
export async function checkOwnMethod(deps: Deps, accountId: string, ref: string, method: 'card' | 'ach') {
  const { pm } = await ownedMethod(deps, accountId, ref, 'paymentMethodRef');
  if ((pm.type === 'us_bank_account' ? 'ach' : pm.type) !== method)
    throw invalidMethod(
      `Payment method ${ref} is not a ${method === 'ach' ? 'bank account' : 'card'}`,
      'method',
    );
}

const unavailable = (param: string) =>
  new ApiError(
    400,
    'invalid_request_error',
    'saved_methods_unavailable',
    'Saved payment methods need Stripe; this server records payments in the dev outbox',
    param,
  );

/** Stripe's answer, or 502 when Stripe did not give one (a refusal of ours is the caller's to word). */
async function atStripe<T>(call: () => Promise<T>, refused?: () => ApiError): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (refused && e instanceof Stripe.errors.StripeInvalidRequestError) throw refused();
    if (e instanceof Stripe.errors.StripeError)
      throw new ApiError(502, 'api_error', 'gateway_unavailable', 'Stripe did not answer; try again');
    throw e;
  }
}

/**
 * The saved method `ref` with the Stripe client and customer, if Stripe has it attached to the account's
 * Customer: 404 if the account does not exist, 400 naming `param` otherwise, 502 if Stripe does not answer.
 */
async function ownedMethod(deps: Deps, accountId: string, ref: string, param: string) {
  const acct = await accountStripeCustomer(deps.sql, accountId);
  if (!acct) throw noSuch('account', accountId);
  const stripe = deps.stripe;
  if (!stripe) throw unavailable(param);
  const notHere = () => invalidMethod(`No saved payment method ${ref} on this account`, param);
  const customer = acct.stripeCustomerId;
  if (!customer) throw notHere();
  const pm = await atStripe(() => stripe.paymentMethods.retrieve(ref), notHere);
  const owner = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
  if (owner !== customer) throw notHere();
  return { pm, stripe, customer };
}

/**
 * A SetupIntent on the account's Stripe Customer (made on first use) for a new card or bank account, to be
 * confirmed in the browser with Stripe.js; the method is then saved on the Customer, ready for off-session
 * payments and autopay.
 */
export async function startSetup(deps: Deps, accountId: string, method: 'card' | 'ach') {
  const acct = await accountStripeCustomer(deps.sql, accountId);
  if (!acct) throw noSuch('account', accountId);
  const stripe = deps.stripe;
  if (!stripe) throw unavailable('method');
  const customer = await atStripe(() => ensureStripeCustomer(deps.sql, stripe, accountId));
  const si = await atStripe(() =>
    stripe.setupIntents.create(
      {
        customer,
        allowed_payment_method_types: [method === 'ach' ? 'us_bank_account' : 'card'],
        usage: 'off_session',
        metadata: { account_id: accountId },
      },
      { idempotencyKey: `setup:${accountId}:${randomUUID()}` },
    ),
  );
  return { id: si.id, clientSecret: si.client_secret ?? '' };
}

/** Makes a saved method the Customer's default (Stripe's invoice_settings.default_payment_method). */
export async function setDefaultMethod(deps: Deps, accountId: string, methodId: string) {
  const { stripe, customer } = await ownedMethod(deps, accountId, methodId, 'methodId');
  await atStripe(() =>
    stripe.customers.update(customer, { invoice_settings: { default_payment_method: methodId } }),
  );
}

/**
 * Removes a saved method from the account's Stripe Customer (Stripe's detach), unless autopay uses it
 * (409 payment_method_in_use, param methodId). The check and the detach hold the account's row lock.
 */
export async function removeMethod(deps: Deps, accountId: string, methodId: string) {
  const { stripe } = await ownedMethod(deps, accountId, methodId, 'methodId');
  await removeMethodUnlessAutopay(deps.sql, accountId, methodId, async () => {
    await atStripe(() => stripe.paymentMethods.detach(methodId));
  });
}

/** The account's saved cards and bank accounts; empty without Stripe or until one is saved. 404 if no account. */
export async function savedMethods(deps: Deps, accountId: string) {
  const acct = await accountStripeCustomer(deps.sql, accountId);
  if (!acct) throw noSuch('account', accountId);
  const stripe = deps.stripe;
  if (!stripe || !acct.stripeCustomerId) return [];
  const customer = acct.stripeCustomerId;
  const [cards, banks, cus] = await atStripe(() =>
    Promise.all([
      stripe.paymentMethods.list({ customer, type: 'card', limit: 100 }),
      stripe.paymentMethods.list({ customer, type: 'us_bank_account', limit: 100 }),
      stripe.customers.retrieve(customer),
    ]),
  );
  const dflt = cus.deleted ? null : cus.invoice_settings?.default_payment_method;
  const defaultId = typeof dflt === 'string' ? dflt : (dflt?.id ?? null);
  return [...cards.data, ...banks.data].map((pm) =>
    pm.type === 'us_bank_account'
      ? {
          id: pm.id,
          type: 'ach' as const,
          bankName: pm.us_bank_account?.bank_name ?? 'Bank account',
          last4: pm.us_bank_account?.last4 ?? '',
          isDefault: pm.id === defaultId,
        }
      : {
          id: pm.id,
          type: 'card' as const,
          brand: pm.card?.brand ?? 'card',
          last4: pm.card?.last4 ?? '',
          ...(pm.card ? { expMonth: pm.card.exp_month, expYear: pm.card.exp_year } : {}),
          isDefault: pm.id === defaultId,
        },
  );
}
