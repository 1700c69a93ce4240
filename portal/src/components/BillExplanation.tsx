// "Why is this bill different?": the drivers of the change (largest first), this bill beside the last one
// and the same month last year, and each line in plain words with its trace. The server sends kinds and
// numbers (GET /bills/:id/explanation); the words are the portal's, in English or Spanish.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { ExplainedLine, BillExplanation as Schema } from '../../../api/routes/bills.schema';
import { api } from '../lib/api';
import { formatMonth, locale, t, word } from '../lib/i18n';
import { formatCents } from '../lib/money';
import { ErrorNote, Money, Skeleton } from './ui';

type Explanation = Static<typeof Schema>;
type Comparison = NonNullable<Explanation['previous']>;
type Driver = Comparison['drivers'][number];
type Line = Static<typeof ExplainedLine>;

const money = (cents: number) => formatCents(Math.abs(cents), locale());

/** One driver in words: "3 more days", "2 ccf more in tier 2", "rate change". */
export function driverText(d: Driver): string {
  switch (d.kind) {
    case 'days':
      return d.days >= 0 ? t('xMoreDays', { n: d.days }) : t('xFewerDays', { n: -d.days });
    case 'usage':
      return d.services.length
        ? d.services
            .map((s) =>
              t('xUsage', { change: signed(s.change), unit: s.unit ?? '', service: word(s.serviceType) }),
            )
            .join(', ')
        : t('usageChange');
    case 'tier':
      return d.moves.length
        ? d.moves
            .map((m) => t('xInTier', { change: signed(m.change), unit: m.unit ?? '', tier: m.tier }))
            .join(', ')
        : t('tierMix');
    case 'rate':
      return t('rateChange');
    case 'other':
      return t('otherCharges');
  }
}
const signed = (x: string) => (x.startsWith('-') ? x : `+${x}`);

function Headline({ c, testid }: { c: Comparison; testid: string }) {
  const top = c.drivers[0];
  const what = c.changeCents > 0 ? 'upBy' : c.changeCents < 0 ? 'downBy' : 'sameAs';
  return (
    <p data-testid={testid}>
      <strong>{t(what, { amount: money(c.changeCents), period: formatMonth(c.period) })}</strong>
      {top ? ` ${t('mostly', { why: driverText(top) })}` : ''}
    </p>
  );
}

function Drivers({ c }: { c: Comparison }) {
  if (!c.drivers.length) return null;
  return (
    <ol class="drivers" data-testid="drivers">
      {c.drivers.map((d) => (
        <li key={d.kind} data-kind={d.kind}>
          {driverText(d)}: {d.cents >= 0 ? '+' : '−'}
          {money(d.cents)}
        </li>
      ))}
    </ol>
  );
}

function CompareTable({ e }: { e: Explanation }) {
  const cols = [e.previous, e.lastYear];
  const cell = (v: string | number | null | undefined) => <td class="num">{v ?? '—'}</td>;
  const services = e.segments.map((s) => s.serviceType);
  return (
    <table data-testid="bill-compare">
      <caption class="visually-hidden">{t('compareTitle')}</caption>
      <thead>
        <tr>
          <td />
          <th scope="col" class="num">
            {t('thisBill')} ({formatMonth(e.period)})
          </th>
          <th scope="col" class="num">
            {t('lastBillCol')}
            {e.previous ? ` (${formatMonth(e.previous.period)})` : ''}
          </th>
          <th scope="col" class="num">
            {t('lastYear')}
            {e.lastYear ? ` (${formatMonth(e.lastYear.period)})` : ''}
          </th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{t('amount')}</th>
          <td class="num">
            <Money cents={e.totalCents} />
          </td>
          {cols.map((c, i) => (
            <td class="num" key={i}>
              {c ? <Money cents={c.totalCents} /> : '—'}
            </td>
          ))}
        </tr>
        <tr>
          <th scope="row">{t('daysInPeriod')}</th>
          {cell(e.days)}
          {cols.map((c) => cell(c?.days))}
        </tr>
        {services.map((st) => {
          const seg = e.segments.find((s) => s.serviceType === st)!;
          const other = (c: Comparison | null) => c?.services.find((s) => s.serviceType === st);
          return (
            <tr key={st}>
              <th scope="row">
                {word(st)} {seg.unit ? `(${seg.unit})` : ''}
              </th>
              {cell(seg.usage)}
              {cols.map((c) => cell(other(c)?.usage.other))}
            </tr>
          );
        })}
        <tr>
          <th scope="row">{t('rateVersion')}</th>
          <td class="num">
            {[...new Set(e.segments.flatMap((s) => s.lines.map((l) => l.scheduleCode ?? '')))]
              .filter(Boolean)
              .join(', ')}
          </td>
          {cols.map((c, i) => (
            <td class="num" key={i}>
              {c ? (c.services.some((s) => s.rateVersions.changed) ? t('changed') : t('unchanged')) : '—'}
            </td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

/** A line in words: "10 ccf × $2.00, tier 1 (0 to 10 ccf), 15 of 31 days, on water usage". */
export function lineText(l: Line): string {
  const parts: string[] = [];
  if (l.kind === 'fixed') parts.push(t('lineFixed', { price: `$${l.unitPrice ?? ''}` }));
  else if (l.percent !== null)
    parts.push(l.exempt ? t('lineExempt') : t('linePercent', { percent: l.percent, of: l.quantity ?? '' }));
  else if (l.quantity !== null && l.unitPrice !== null)
    parts.push(t('lineQty', { qty: l.quantity, unit: l.unit ?? '', price: `$${l.unitPrice}` }));
  if (l.tier)
    parts.push(
      l.tier.to === null
        ? t('tierAbove', { n: l.tier.n, from: l.tier.from })
        : t('tierRange', { n: l.tier.n, from: l.tier.from, to: l.tier.to }),
    );
  if (l.proration) parts.push(t('daysOf', { days: l.proration.days, of: l.proration.periodDays }));
  if (l.basis) parts.push(l.basis.cappedAt ? t('onWinter', { cap: l.basis.cappedAt }) : t('onWater'));
  if (l.season) parts.push(l.season);
  if (l.touPeriod) parts.push(l.touPeriod);
  return parts.join(' · ');
}

function Lines({ e }: { e: Explanation }) {
  return (
    <>
      {e.segments.map((s) => (
        <section key={s.serviceType} aria-label={word(s.serviceType)}>
          <h3>
            {word(s.serviceType)} · <Money cents={s.totalCents} />
          </h3>
          {s.reads ? (
            <p class="muted">
              {t('readsFromTo', { from: s.reads.startValue, to: s.reads.endValue })}
              {s.reads.estimated ? ` (${t('estimated')})` : ''}
            </p>
          ) : null}
          {s.intervals ? (
            <p class="muted" data-testid={`intervals-${s.serviceType}`}>
              {t('intervalsBilled', { n: s.intervals.count })}
              {s.intervals.estimated ? ` (${t('intervalsEstimated', { n: s.intervals.estimated })})` : ''}
              {s.intervals.byPeriod.map((p) => ` · ${p.period} ${p.quantity} ${s.unit ?? ''}`).join('')}
              {s.intervals.peak
                ? ` · ${t('peakAt', { kw: s.intervals.peak.kw, at: s.intervals.peak.at.slice(0, 16).replace('T', ' ') })}`
                : ''}
            </p>
          ) : null}
          <ul class="explained-lines" data-testid={`lines-${s.serviceType}`}>
            {s.lines.map((l) => (
              <li key={l.seq}>
                <strong>{l.description}</strong>: <Money cents={l.amountCents} />
                <br />
                <span>{lineText(l)}</span>
                <details>
                  <summary>{t('howCalculated')}</summary>
                  <pre>{JSON.stringify(l.trace, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}

/** The whole explanation; `level` 1 on its own page (the portal), 2 inside the staff 360. */
export function BillExplanationView({
  billId,
  onClose,
  level = 1,
}: {
  billId: string;
  onClose: () => void;
  level?: 1 | 2;
}) {
  const [e, setE] = useState<Explanation | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<Explanation>(`/bills/${billId}/explanation`).then(setE, setErr);
  }, [billId]);
  const H = level === 1 ? 'h1' : 'h2';
  return (
    <section
      class="card bill-explanation"
      aria-labelledby={`explain-${billId}`}
      data-testid="bill-explanation"
    >
      <H id={`explain-${billId}`}>
        {t('whyTitle')}
        {e ? ` · ${formatMonth(e.period)}` : ''}
      </H>
      <button type="button" class="secondary" onClick={onClose}>
        {t('backToBills')}
      </button>
      <ErrorNote error={err} />
      {!e ? (
        !err ? (
          <Skeleton lines={6} testid="explanation-loading" />
        ) : null
      ) : (
        <>
          {e.previous ? (
            <Headline c={e.previous} testid="top-driver" />
          ) : (
            <p data-testid="top-driver">{t('noPrevious')}</p>
          )}
          {e.previous ? <Drivers c={e.previous} /> : null}
          {e.lastYear ? (
            <>
              <h3>{t('lastYear')}</h3>
              <Headline c={e.lastYear} testid="last-year-driver" />
              <Drivers c={e.lastYear} />
            </>
          ) : null}
          <CompareTable e={e} />
          <Lines e={e} />
        </>
      )}
    </section>
  );
}

/** The button on a bill's row that opens its explanation (portal and staff 360); `hint` names the bill to a screen reader. */
export function ExplainBillButton(p: { label: string; hint: string; onClick: () => void }) {
  return (
    <button type="button" class="link" data-testid="explain-bill" onClick={p.onClick}>
      {p.label}
      <span class="visually-hidden"> {p.hint}</span>
    </button>
  );
}
