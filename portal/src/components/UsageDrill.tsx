// Drill-down from the monthly chart: the days of a month (with each day's estimated cost), then the hours
// of a day, from GET /accounts/:id/usage?granularity=day|hour. Tables, so screen readers and keyboards get
// the same figures; every step is a button, and the heading says where you are.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { IntervalUsage } from '../../../api/routes/usage.schema';
import { monthlyPeriod } from '../../../domain/period';
import { api } from '../lib/api';
import { formatDate, formatMonth, t, word } from '../lib/i18n';
import { formatCents } from '../lib/money';
import { ErrorNote, num, Table } from './ui';

type Answer = Static<typeof IntervalUsage>;

export function UsageDrill({ accountId, periods }: { accountId: string; periods: string[] }) {
  const [month, setMonth] = useState<string | null>(null);
  const [day, setDay] = useState<string | null>(null);
  const [data, setData] = useState<Answer | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    if (!month) return;
    setData(null);
    setErr(null);
    let current = true;
    const m = monthlyPeriod(month);
    const url = day
      ? `/accounts/${accountId}/usage?granularity=hour&from=${day}&to=${day}`
      : `/accounts/${accountId}/usage?granularity=day&from=${m.start}&to=${m.end}`;
    api<Answer>(url).then(
      (v) => current && setData(v),
      (e) => current && setErr(e),
    );
    return () => {
      current = false;
    };
  }, [accountId, month, day]);
  return (
    <section class="usage-drill" aria-label={t('usageDrill')} data-testid="usage-drill">
      <h3>{t('usageDrill')}</h3>
      <ul class="drill-months">
        {periods.map((p) => (
          <li key={p}>
            <button
              type="button"
              class={month === p ? 'tab active' : 'tab'}
              aria-pressed={month === p}
              onClick={() => {
                setMonth(p);
                setDay(null);
              }}
            >
              {t('usageDaysOf', { month: formatMonth(p) })}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote error={err} />
      {month && data ? (
        <div aria-live="polite">
          {day ? (
            <button type="button" class="link" onClick={() => setDay(null)}>
              {t('usageBackToDays', { month: formatMonth(month) })}
            </button>
          ) : null}
          {data.services.length === 0 ? <p>{t('noUsage')}</p> : null}
          {data.services.map((s) => (
            <div key={s.serviceType}>
              <h4 data-testid="drill-heading">
                {word(s.serviceType)} ·{' '}
                {day ? t('usageHoursOf', { day: formatDate(day) }) : formatMonth(month)}
              </h4>
              <Table
                testid={day ? 'hours-table' : 'days-table'}
                head={
                  day
                    ? [t('usageHour'), num(`${t('thisPeriod')} (${s.unit})`)]
                    : [t('usageDay'), num(`${t('thisPeriod')} (${s.unit})`), num(t('usageEstimatedCost'))]
                }
              >
                {s.points.map((p) => (
                  <tr key={p.start}>
                    <th scope="row">
                      {day ? (
                        p.local.slice(11, 16)
                      ) : (
                        <button type="button" class="link" onClick={() => setDay(p.local)}>
                          {formatDate(p.local)}
                        </button>
                      )}
                    </th>
                    <td class="num">{p.quantity ?? '—'}</td>
                    {day ? null : (
                      <td class="num">
                        {p.estimatedCents === null || p.estimatedCents === undefined
                          ? '—'
                          : formatCents(p.estimatedCents)}
                      </td>
                    )}
                  </tr>
                ))}
              </Table>
            </div>
          ))}
          {!day ? <p class="muted">{t('usageEstimateNote')}</p> : null}
        </div>
      ) : null}
    </section>
  );
}
