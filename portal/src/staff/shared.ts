// Small pieces the staff console's screens share.
import type { Static } from '@sinclair/typebox';
import type { AccountRead } from '../../../api/routes/usage.schema';
import type { Me } from '../lib/api';

/** The roles that resolve held bills and start bill runs (the API's STAFF.billing decides; this hides buttons). */
const BILLING_ROLES = ['billing_admin', 'supervisor', 'admin'];
export const canBill = (me: Me) => BILLING_ROLES.includes(me.role ?? '');

/** One of an account's recent meter reads (GET /accounts/:id/reads). */
export type Read = Static<typeof AccountRead>;
