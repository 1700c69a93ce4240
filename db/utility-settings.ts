// The utility's settings in one place: the row an admin saved, else the environment's UTILITY_* (lib/config.ts).
// `currentUtility` is what the bill PDF, the portal's config and messages read, so all three always agree.
import { readFile } from 'node:fs/promises';
import {
  type ImageType,
  imageType,
  logoProblem,
  settingsProblem,
  type UtilitySettingsValues,
} from '../domain/utility-settings.js';
import type { UtilityProfile } from '../lib/config.js';
import type { Sql, Tx } from './client.js';
import { Refused } from './refused.js';

type Db = Sql | Tx;

export interface UtilitySettings extends UtilitySettingsValues {
  /** 0 until an admin saves: the environment's values */
  version: number;
  logo: UtilityProfile['logo'];
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** What the environment says, used until the first save. */
export interface UtilityDefaults {
  utility: UtilityProfile;
  /** UTILITY_TIME_ZONE (the bill and the portal do not need it) */
  timeZone?: string;
}

function fromProfile(d: UtilityDefaults): UtilitySettings {
  const u = d.utility;
  return {
    version: 0,
    name: u.name,
    address: u.address ?? [],
    remitTo: u.remitTo,
    phone: u.phone,
    website: u.website,
    emergencyPhone: u.emergencyPhone,
    officeHours: u.officeHours,
    timeZone: d.timeZone ?? 'UTC',
    lateFeeText: u.lateFeeText ?? null,
    brandColor: u.brandColor,
    logo: u.logo,
    updatedAt: null,
    updatedBy: null,
  };
}

interface Row extends UtilitySettingsValues {
  version: number;
  logo: Buffer | null;
  logoType: ImageType | null;
  updatedAt: Date;
  updatedBy: string | null;
}

async function savedRow(db: Db, lock = false): Promise<Row | undefined> {
  const [r] = await db<Row[]>`
    select version, name, address, remit_to, phone, website, emergency_phone, office_hours, time_zone,
      late_fee_text, brand_color, logo, logo_type, updated_at, updated_by
    from utility_settings ${lock ? db`for update` : db``}`;
  return r;
}

const fromRow = (r: Row): UtilitySettings => ({
  ...r,
  logo: r.logo && r.logoType ? { data: r.logo, type: r.logoType } : null,
});

/** The settings in force: as saved, else the environment's. */
export async function utilitySettings(db: Db, d: UtilityDefaults): Promise<UtilitySettings> {
  const r = await savedRow(db);
  return r ? fromRow(r) : fromProfile(d);
}

/** The settings in force, as the bill, the portal and messages use them. */
export async function currentUtility(db: Db, d: UtilityDefaults): Promise<UtilityProfile> {
  const { version: _v, timeZone: _t, updatedAt: _a, updatedBy: _b, ...p } = await utilitySettings(db, d);
  return p;
}

export type SettingsChange = Partial<UtilitySettingsValues> & {
  /** base64 PNG or JPEG; null removes the logo; absent keeps it */
  logo?: string | null;
};

/** The settings without the logo's bytes (its type and size instead): what the audit log keeps. */
export function settingsForAudit(s: UtilitySettings) {
  const { logo, updatedAt: _a, ...rest } = s;
  return {
    ...rest,
    logo: logo ? { type: logo.type, bytes: 'data' in logo ? logo.data.length : null } : null,
  };
}

/**
 * Saves a change over the settings in force (the environment's, the first time): every field is checked
 * on the result, and a refusal names the field and saves nothing. Returns the settings before and after.
 */
export async function saveUtilitySettings(
  sql: Sql,
  c: { change: SettingsChange; defaults: UtilityDefaults; by: string; now: Date; expectedVersion?: number },
): Promise<{ before: UtilitySettings; after: UtilitySettings }> {
  return sql.begin(async (tx) => {
    // one writer at a time: the row (or, before the first save, the table) is locked while deciding
    await tx`lock table utility_settings in share row exclusive mode`;
    const saved = await savedRow(tx, true);
    const before = saved ? fromRow(saved) : fromProfile(c.defaults);
    if (c.expectedVersion !== undefined && c.expectedVersion !== before.version)
      throw new Refused(
        `The settings were changed by someone else (now version ${before.version}); reload and try again`,
        'settings_changed',
        'version',
      );
    const { logo: logoIn, ...values } = c.change;
    const next: UtilitySettingsValues = {
      name: before.name,
      address: before.address,
      remitTo: before.remitTo,
      phone: before.phone,
      website: before.website,
      emergencyPhone: before.emergencyPhone,
      officeHours: before.officeHours,
      timeZone: before.timeZone,
      lateFeeText: before.lateFeeText,
      brandColor: before.brandColor,
      ...values,
    };
    next.brandColor = next.brandColor.toLowerCase();
    const bad = settingsProblem(next);
    if (bad) throw new Refused(bad.message, 'parameter_invalid', bad.field);
    let logo: { data: Uint8Array; type: ImageType } | null;
    if (logoIn === undefined) logo = await logoBytes(before.logo);
    else if (logoIn === null) logo = null;
    else {
      const data = Buffer.from(logoIn, 'base64');
      const problem = logoProblem(data);
      if (problem) throw new Refused(problem.message, 'parameter_invalid', problem.field);
      logo = { data, type: imageType(data)! };
    }
    const version = before.version + 1;
    const row = {
      id: true,
      version,
      name: next.name,
      address: next.address,
      remit_to: next.remitTo,
      phone: next.phone,
      website: next.website,
      emergency_phone: next.emergencyPhone,
      office_hours: next.officeHours,
      time_zone: next.timeZone,
      late_fee_text: next.lateFeeText,
      brand_color: next.brandColor,
      logo: logo ? Buffer.from(logo.data) : null,
      logo_type: logo?.type ?? null,
      updated_by: c.by,
      updated_at: c.now,
    };
    await tx`insert into utility_settings ${tx(row)}
      on conflict (id) do update set ${tx(row, Object.keys(row).filter((k) => k !== 'id') as (keyof typeof row)[])}`;
    return { before, after: fromRow((await savedRow(tx))!) };
  });
}

/** The logo's bytes, read from the UTILITY_LOGO file when it is one (the first save keeps the env's logo). */
async function logoBytes(l: UtilityProfile['logo']) {
  if (!l) return null;
  if ('data' in l) return l;
  return { data: await readFile(l.path), type: l.type };
}
