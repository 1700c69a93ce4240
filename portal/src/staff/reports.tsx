// Reports for billing staff: the key figures of the last 90 days and the receivable by age.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { ArAgingReport, KpiReport } from '../../../api/routes/reports.schema';
import { Card, ErrorNote, Money } from '../components/ui';
import { api } from '../lib/api';
import { formatDate } from '../lib/i18n';

type Kpis = Static<typeof KpiReport>;
type ArAging = Static<typeof ArAgingReport>;

export function Reports() {
  const [k, setK] = useState<Kpis | null>(null);
  const [ar, setAr] = useState<ArAging | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<Kpis>('/reports/kpis').then(setK, setErr);
    api<ArAging>('/reports/ar-aging').then(setAr, setErr);
  }, []);
  return (
    <>
      <ErrorNote error={err} />
      <Card title={`Key figures (last ${k?.days ?? 90} days)`}>
        {k ? (
          <div class="kpis" data-testid="kpis">
            <div class="kpi">
              <span class="muted">DSO</span>
              <strong>{k.dso.days ?? '—'} days</strong>
            </div>
            <div class="kpi">
              <span class="muted">Paperless</span>
              <strong>{k.paperless.percent ?? '—'}%</strong>
            </div>
            <div class="kpi">
              <span class="muted">Exception rate</span>
              <strong>{k.exceptionRate.percent ?? '—'}%</strong>
            </div>
            <div class="kpi">
              <span class="muted">Dispute rate</span>
              <strong>{k.disputeRate.percent ?? '—'}%</strong>
            </div>
          </div>
        ) : (
          <p>Loading…</p>
        )}
      </Card>
      <Card title="Accounts receivable aging">{ar ? <ArAgingTable ar={ar} /> : <p>Loading…</p>}</Card>
    </>
  );
}

function ArAgingTable({ ar }: { ar: ArAging }) {
  const rows = [
    ['0–30 days', ar.buckets.current],
    ['31–60 days', ar.buckets.days31to60],
    ['61–90 days', ar.buckets.days61to90],
    ['Over 90 days', ar.buckets.over90],
    [
      `Total receivable (${ar.accountsOwing} accounts, as of ${formatDate(ar.asOf)})`,
      ar.totalReceivableCents,
    ],
    ['Credit balances', ar.creditBalancesCents],
  ] as const;
  return (
    <table data-testid="ar-aging">
      <tbody>
        {rows.map(([label, cents]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td class="num">
              <Money cents={cents} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
