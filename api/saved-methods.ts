// Saved payment methods (cards and bank accounts kept at Stripe on the account's Customer): which one an
// account may charge, for a payment or for autopay, and the list the portal shows.
import { Type } from '@sinclair/typebox';
import Stripe from 'stripe';
import { accountStripeCustomer } from '../db/accounts.js';
import type { Sql } from '../db/client.js';
import { noSuch } from '../db/refused.js';
import { ApiError } from './errors.js';

export const pmRef = (description: string) =>
  Type.String({ pattern: '^pm_[A-Za-z0-9_]{3,100}$', description });

const invalidMethod = (message: string, param = 'paymentMethodRef') =>
  new ApiError(400, 'invalid_request_error', 'payment_method_invalid', message, param);

/**
 * A saved method may be charged for an account only if Stripe has it attached to that account's Customer
 * (and it is of the kind asked for). 404 if the account does not exist; 400 otherwise; 502 if Stripe does
 * not answer.
 */
export async function checkOwnMethod(
  deps: { sql: Sql; stripe: Stripe | null },
  accountId: string,
  ref: string,
  method: 'card' | 'ach',
) {
  const acct = await accountStripeCustomer(deps.sql, accountId);
  if (!acct) throw noSuch('account', accountId);
  if (!deps.stripe)
    throw new ApiError(
      400,
      'invalid_request_error',
      'saved_methods_unavailable',
      'Saved payment methods need Stripe; this server records payments in the dev outbox',
      'paymentMethodRef',
    );
  if (!acct.stripeCustomerId) throw invalidMethod(`No saved payment method ${ref} on this account`);
  let pm: Stripe.PaymentMethod;
  try {
    pm = await deps.stripe.paymentMethods.retrieve(ref);
  } catch (e) {
    if (e instanceof Stripe.errors.StripeInvalidRequestError)
      throw invalidMethod(`No saved payment method ${ref} on this account`);
    if (e instanceof Stripe.errors.StripeError)
      throw new ApiError(502, 'api_error', 'gateway_unavailable', 'Stripe did not answer; try again');
    throw e;
  }
  const owner = typeof pm.customer === 'string' ? pm.customer : (pm.customer?.id ?? null);
  if (owner !== acct.stripeCustomerId) throw invalidMethod(`No saved payment method ${ref} on this account`);
  if ((pm.type === 'us_bank_account' ? 'ach' : pm.type) !== method)
    throw invalidMethod(
      `Payment method ${ref} is not a ${method === 'ach' ? 'bank account' : 'card'}`,
      'method',
    );
}

/** The account's saved cards and bank accounts; empty without Stripe or until one is saved. 404 if no account. */
export async function savedMethods(deps: { sql: Sql; stripe: Stripe | null }, accountId: string) {
  const acct = await accountStripeCustomer(deps.sql, accountId);
  if (!acct) throw noSuch('account', accountId);
  if (!deps.stripe || !acct.stripeCustomerId) return [];
  const customer = acct.stripeCustomerId;
  const [cards, banks] = await Promise.all(
    (['card', 'us_bank_account'] as const).map((type) =>
      deps.stripe!.paymentMethods.list({ customer, type, limit: 100 }),
    ),
  );
  return [...cards!.data, ...banks!.data].map((pm) =>
    pm.type === 'us_bank_account'
      ? {
          id: pm.id,
          type: 'ach' as const,
          bankName: pm.us_bank_account?.bank_name ?? 'Bank account',
          last4: pm.us_bank_account?.last4 ?? '',
        }
      : {
          id: pm.id,
          type: 'card' as const,
          brand: pm.card?.brand ?? 'card',
          last4: pm.card?.last4 ?? '',
          ...(pm.card ? { expMonth: pm.card.exp_month, expYear: pm.card.exp_year } : {}),
        },
  );
}
