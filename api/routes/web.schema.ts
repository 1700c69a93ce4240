// What the portal reads before sign-in (GET /portal/config.json, web.ts): shared with it (type-only).
import { Type } from '@sinclair/typebox';

export const PortalConfig = Type.Object({
  payments: Type.String({ description: 'stripe, or outbox in development' }),
  stripePublishableKey: Type.Union([Type.String(), Type.Null()]),
});
