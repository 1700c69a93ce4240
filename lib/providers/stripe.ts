// The Stripe client the configuration names, one construction for the API and the worker; without keys,
// none (dev outbox mode). Tests pass a client pointed at their fake instead.
import Stripe from 'stripe';
import type { Config } from '../config.js';

export function stripeFromConfig(c: Config): Stripe | null {
  return c.stripe ? new Stripe(c.stripe.secretKey) : null;
}
