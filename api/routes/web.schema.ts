// What the portal reads before sign-in (GET /portal/config.json, web.ts): shared with it (type-only).
import { Type } from '@sinclair/typebox';

const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

/** Who the portal is from and how to reach them: UTILITY_* (lib/config.ts UtilityProfile), without file paths. */
export const PortalUtility = Type.Object({
  name: Type.String(),
  phone: Nullable('the number customers call'),
  website: Nullable('https URL'),
  emergencyPhone: Nullable('for outages and emergencies, at any hour'),
  officeHours: Nullable('as the utility writes them'),
  remitTo: Type.Array(Type.String(), { description: 'where mailed payments go, a line each' }),
  address: Type.Array(Type.String(), { description: "the office's address, a line each" }),
  timeZone: Type.String({ description: "IANA zone: the utility's calendar day" }),
  logoUrl: Nullable('the logo, served by this API'),
  brandColor: Type.String({ pattern: '^#[0-9a-f]{6}$', description: 'white text on it reaches WCAG AA' }),
});

export const PortalConfig = Type.Object({
  utility: PortalUtility,
  payments: Type.String({ description: 'stripe, or outbox in development' }),
  stripePublishableKey: Type.Union([Type.String(), Type.Null()]),
});
