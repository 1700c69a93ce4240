// Message templates, SMS segment counting and quiet hours: pure rules.
import { describe, expect, it } from 'vitest';
import { quietDelayMs } from '../../domain/messages/quiet-hours.js';
import { countSegments, isGsm7, toGsm7 } from '../../domain/messages/segments.js';
import { MESSAGE_TEMPLATES, render } from '../../domain/messages/templates.js';

describe('SMS segments', () => {
  it('counts GSM-7 at 160 for one segment and 153 per segment after', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });
  it('counts extension characters as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}[`)).toMatchObject({ units: 161, segments: 2 });
  });
  it('Spanish: é ñ ü ¿ ¡ stay GSM-7, but á í ó ú force UCS-2 at 70/67', () => {
    expect(isGsm7('¿Señor Müller? ¡Café!')).toBe(true);
    expect(isGsm7('está')).toBe(false);
    expect(countSegments('á'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments('á'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments('á'.repeat(134)).segments).toBe(2);
    expect(countSegments('á'.repeat(135)).segments).toBe(3);
    expect(toGsm7('Está aquí, señor: código')).toBe('Esta aqui, señor: codigo');
  });
});

describe('quiet hours', () => {
  const q = { start: '21:00', end: '08:00', timeZone: 'America/Los_Angeles' };
  it('delays a text queued at night until the window ends, in the utility time zone', () => {
    // 23:30 in Los Angeles (PST, UTC-8) is 07:30 UTC
    expect(quietDelayMs(new Date('2026-12-01T07:30:00Z'), q)).toBe(8.5 * 3600_000);
    // 07:59 local
    expect(quietDelayMs(new Date('2026-12-01T15:59:00Z'), q)).toBe(60_000);
  });
  it('sends at once outside the window', () => {
    expect(quietDelayMs(new Date('2026-12-01T16:00:00Z'), q)).toBe(0); // 08:00 local
    expect(quietDelayMs(new Date('2026-12-01T20:00:00Z'), q)).toBe(0); // noon
  });
  it('handles a window within one day, and seconds', () => {
    const day = { start: '12:00:00', end: '12:00:05', timeZone: 'UTC' };
    expect(quietDelayMs(new Date('2026-12-01T12:00:02Z'), day)).toBe(3000);
    expect(quietDelayMs(new Date('2026-12-01T12:00:05Z'), day)).toBe(0);
  });
});

describe('templates', () => {
  const ctx = (language: 'en' | 'es') => ({
    language,
    accountNumber: '1000000017',
    publicUrl: 'https://utility.example.org',
  });
  const full = {
    billId: 'bill_1',
    period: '2026-11',
    amountCents: 1_234_567,
    dueDate: '2026-12-15',
    link: 'https://utility.example.org/bills/bill_01JABCDEFGHJKMNPQRSTVWXYZ/document',
    paymentId: 'pay_1',
    code: 'insufficient_funds',
    usage: '1234.56',
    unit: 'gal',
    normal: '123.45',
    service: 'water',
    message:
      'A water main break on Oak Street: water is off from 9 am until about 3 pm. Boil water after service returns.',
    area: '97401',
    stage: 'final_notice',
    disconnectOn: '2026-12-30',
    feeCents: 2500,
    disputeId: 'disp_1',
    status: 'resolved',
    resolution: 'meter re-read, bill corrected',
    creditCents: 4599,
    requestId: 'sr_1',
    kind: 'meter_test',
    arrangementId: 'arr_1',
    installmentCents: 5000,
    nextDueDate: '2027-01-15',
    contactId: 'cc_1',
    enabled: true,
  };
  it('every template, in both languages, with the largest figures, fits an SMS in two segments', () => {
    for (const alert of MESSAGE_TEMPLATES) {
      for (const lang of ['en', 'es'] as const) {
        const r = render(
          alert,
          { ...full, code: alert === 'contact_verification' ? '123456' : full.code },
          ctx(lang),
        );
        const c = countSegments(r.sms);
        expect(c.segments, `${alert}/${lang}: ${r.sms}`).toBeLessThanOrEqual(2);
        expect(r.smsSegments).toBe(c.segments);
        expect(r.smsEncoding).toBe(c.encoding);
        expect(r.subject.length).toBeGreaterThan(5);
        expect(r.html).toContain(`lang="${lang}"`);
      }
    }
  });
  it('shows the real figures in the customer language', () => {
    const en = render('bill_ready', full, ctx('en'));
    expect(en.subject).toBe('Your November 2026 bill is ready');
    expect(en.text).toContain('Amount due: $12,345.67.');
    expect(en.text).toContain('Due date: December 15, 2026.');
    expect(en.text).toContain(full.link);
    expect(en.text).toContain('Account ending 0017');
    const es = render('payment_due', full, ctx('es'));
    expect(es.text).toContain('$12,345.67 vence el 15 de diciembre de 2026');
    const hu = render('high_usage', full, ctx('en'));
    expect(hu.sms).toContain('1234.56 gal a day, against your normal 123.45 gal');
    const fin = render('collection_notice', full, ctx('es'));
    expect(fin.subject).toBe('Aviso final antes del corte');
    expect(fin.text).toContain('30 de diciembre de 2026');
  });
  it('falls back gracefully when figures are missing', () => {
    for (const alert of MESSAGE_TEMPLATES) {
      const r = render(alert, {}, ctx('en'));
      expect(r.text).not.toMatch(/undefined|null|NaN/);
      expect(r.sms).not.toMatch(/undefined|null|NaN/);
    }
    expect(render('payment_due', { amountCents: 'lots' as never }, ctx('en')).text).toContain(
      'your bill is due soon',
    );
    expect(render('unknown_alert', {}, ctx('es')).subject).toBe('Un aviso sobre su cuenta');
  });
  it('labels each link for what it does', () => {
    const link = 'https://utility.example.org/portal/verify-contact?token=cc_1.abc';
    expect(render('contact_verification', { link }, ctx('en')).text).toContain(`Confirm it here: ${link}`);
    expect(render('contact_verification', { link }, ctx('es')).text).toContain(`Confírmelo aquí: ${link}`);
    expect(render('payment_due', { amountCents: 100 }, ctx('en')).text).toContain(
      'Sign in here: https://utility.example.org/portal',
    );
    expect(render('bill_ready', full, ctx('es')).html).toContain(`Véala aquí: <a href="${full.link}">`);
  });
  it('escapes HTML in the email', () => {
    const r = render('outage', { message: 'Crews at <Main & 3rd>' }, ctx('en'));
    expect(r.html).toContain('Crews at &lt;Main &amp; 3rd&gt;');
    expect(r.text).toContain('Crews at <Main & 3rd>');
  });
});
