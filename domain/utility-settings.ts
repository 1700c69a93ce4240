// The utility's settings (who the bill, the portal and messages say they are from) and the rules a saved
// copy must keep. Pure: the same rules whether the values come from UTILITY_* or an admin's form.
import { AA_TEXT, contrastRatio } from './contrast.js';
import { isTimeZone } from './import/local-time.js';

export interface UtilitySettingsValues {
  name: string;
  /** the office's street address, a line each */
  address: string[];
  /** where mailed payments go: the remittance stub's address, a line each */
  remitTo: string[];
  phone: string | null;
  website: string | null;
  emergencyPhone: string | null;
  officeHours: string | null;
  /** IANA zone: the utility's calendar day */
  timeZone: string;
  /** what the bill says about paying late */
  lateFeeText: string | null;
  /** `#rrggbb`; white text on it must reach WCAG AA */
  brandColor: string;
}

export type ImageType = 'image/png' | 'image/jpeg';

/** pdfkit embeds it on every bill and the portal serves it on every page: keep it small */
export const LOGO_MAX_BYTES = 256 * 1024;
export const FIELD_MAX = 120;
export const LATE_FEE_MAX = 300;
export const MAX_ADDRESS_LINES = 4;

/** PNG or JPEG (the only images pdfkit prints), told apart by their first bytes; null for anything else. */
export function imageType(head: Uint8Array): ImageType | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (head.length >= 8 && png.every((b, i) => head[i] === b)) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Why white text on this colour is not readable (WCAG AA), or null when it is. */
export function brandColorProblem(color: string): string | null {
  const ratio = contrastRatio(color, '#ffffff');
  if (ratio === null) return `must be a colour written #rrggbb (got "${color}")`;
  if (ratio < AA_TEXT)
    return `${color} is too light: white text on it has contrast ${ratio.toFixed(2)}:1, and WCAG AA needs ${AA_TEXT}:1`;
  return null;
}

export interface SettingsProblem {
  field: string;
  message: string;
}

/** The first rule the settings break, naming the field, or null. */
export function settingsProblem(s: UtilitySettingsValues): SettingsProblem | null {
  const p = (field: string, message: string) => ({ field, message: `${field} ${message}` });
  if (!s.name.trim()) return p('name', 'must not be empty');
  for (const k of ['name', 'phone', 'emergencyPhone', 'officeHours', 'website'] as const) {
    const v = s[k];
    if (v !== null && v.length > FIELD_MAX) return p(k, `is too long for the bill (at most ${FIELD_MAX})`);
  }
  for (const k of ['address', 'remitTo'] as const) {
    if (s[k].length > MAX_ADDRESS_LINES) return p(k, `has at most ${MAX_ADDRESS_LINES} lines`);
    const i = s[k].findIndex((l) => !l.trim() || l.length > FIELD_MAX);
    if (i >= 0) return p(`${k}.${i}`, `must be 1 to ${FIELD_MAX} characters`);
  }
  // a bill must tell the customer where to mail a payment
  if (!s.remitTo.length) return p('remitTo', 'needs at least one line: where mailed payments go');
  if (s.website !== null && !/^https?:\/\/[^\s/]+\.[^\s]+$/.test(s.website))
    return p('website', 'must be an http(s) address such as https://utility.example.org');
  if (!isTimeZone(s.timeZone)) return p('timeZone', 'must be an IANA time zone such as America/Chicago');
  if (s.lateFeeText !== null && s.lateFeeText.length > LATE_FEE_MAX)
    return p('lateFeeText', `is too long for the bill (at most ${LATE_FEE_MAX})`);
  const colour = brandColorProblem(s.brandColor);
  if (colour) return p('brandColor', colour);
  return null;
}

/** Why a logo file cannot be used, or null (the same rules as UTILITY_LOGO). */
export function logoProblem(bytes: Uint8Array): SettingsProblem | null {
  if (bytes.length > LOGO_MAX_BYTES)
    return {
      field: 'logo',
      message: `logo must be at most ${LOGO_MAX_BYTES / 1024} KB (got ${Math.ceil(bytes.length / 1024)} KB)`,
    };
  if (!imageType(bytes)) return { field: 'logo', message: 'logo must be a PNG or JPEG file' };
  return null;
}
