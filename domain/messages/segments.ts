// SMS segment counting (pure). A message in the GSM 03.38 alphabet is sent as 7-bit text: 160 septets in one
// segment, 153 per segment once split (the user-data header takes 7). Any other character forces UCS-2
// for the whole message: 70 UTF-16 code units in one segment, 67 per segment once split. Characters of the
// GSM extension table (€ [ ] { } ^ ~ \ | and form feed) take two septets. Spanish needs care: é, ñ, ü, ¿, ¡
// are in GSM-7 but á, í, ó, ú are not, so one "está" turns a whole message into UCS-2.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '\f^{}\\[~]|€';
const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** septets (GSM-7) or UTF-16 code units (UCS-2) */
  units: number;
  segments: number;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENDED.has(ch)) return false;
  return true;
}

export function countSegments(text: string): SegmentCount {
  if (isGsm7(text)) {
    let units = 0;
    for (const ch of text) units += EXTENDED.has(ch) ? 2 : 1;
    return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length; // UTF-16 code units: an emoji counts two
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Replaces the accented letters GSM-7 lacks with their plain forms (á→a), keeping those it has (é, ñ, ü). */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (BASIC.has(ch) || EXTENDED.has(ch)) {
      out += ch;
      continue;
    }
    const plain = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += isGsm7(plain) ? plain : '?';
  }
  return out;
}
