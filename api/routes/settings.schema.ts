// The utility's settings (api/routes/settings.ts): shared with the staff console (type-only).
import { type TObject, type TProperties, Type } from '@sinclair/typebox';

const Text = (maxLength: number, description?: string) =>
  Type.Union([Type.String({ maxLength }), Type.Null()], description ? { description } : {});
const Lines = (description: string) =>
  Type.Array(Type.String({ maxLength: 120 }), { maxItems: 4, description });

const values = {
  name: Type.String({ minLength: 1, maxLength: 120 }),
  address: Lines("the office's address, a line each"),
  remitTo: Lines('where mailed payments go (the remittance stub), a line each'),
  phone: Text(120, 'the number customers call'),
  website: Text(120, 'http(s) address'),
  emergencyPhone: Text(120, 'for outages and emergencies, at any hour'),
  officeHours: Text(120),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. America/Chicago' }),
  lateFeeText: Text(300, 'what the bill says about paying late'),
  brandColor: Type.String({
    maxLength: 7,
    description: '#rrggbb; white text on it must reach WCAG AA (4.5:1)',
  }),
};

export const UtilitySettings = Type.Object({
  object: Type.Literal('utility_settings'),
  version: Type.Integer({ description: '0: never saved, the environment (UTILITY_*) decides' }),
  ...values,
  logoUrl: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

const extra = {
  logo: Type.Optional(
    Type.Union([Type.String({ maxLength: 360_000 }), Type.Null()], {
      description: 'a PNG or JPEG, base64, at most 256 KB; null removes it; absent keeps it',
    }),
  ),
  version: Type.Optional(
    Type.Integer({ minimum: 0, description: 'the version this change was made on; refused if it moved' }),
  ),
};

const optional = <P extends TProperties>(o: TObject<P>) => Type.Partial(o);

/** PUT: every value (lists and nullable fields default to empty). */
export const UtilitySettingsPut = Type.Object(
  {
    name: values.name,
    remitTo: values.remitTo,
    brandColor: values.brandColor,
    timeZone: values.timeZone,
    ...optional(
      Type.Object({
        address: values.address,
        phone: values.phone,
        website: values.website,
        emergencyPhone: values.emergencyPhone,
        officeHours: values.officeHours,
        lateFeeText: values.lateFeeText,
      }),
    ).properties,
    ...extra,
  },
  { additionalProperties: false },
);

/** PATCH: only the values sent change. */
export const UtilitySettingsPatch = Type.Object(
  { ...optional(Type.Object(values)).properties, ...extra },
  { additionalProperties: false },
);
