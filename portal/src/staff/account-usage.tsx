// The 360's usage: 24 months per service beside the year before, and the latest meter reads behind them.
import { UsageChart } from '../components/UsageChart';
import { Card, num, Table } from '../components/ui';
import type { Usage } from '../lib/api';
import { formatDate } from '../lib/i18n';
import type { Read } from './shared';

export function UsageCard({
  usage,
  reads,
  lang,
}: {
  usage: Usage | null;
  reads: Read[] | null;
  lang: string;
}) {
  return (
    <Card title="Usage (24 months) and reads">
      {usage ? (
        usage.services.map((s) => <UsageChart key={s.serviceType} service={s} lang={lang} />)
      ) : (
        <p>Loading…</p>
      )}
      {reads ? <ReadsTable reads={reads} /> : null}
    </Card>
  );
}

function ReadsTable({ reads }: { reads: Read[] }) {
  return (
    <details>
      <summary>Latest {reads.length} reads</summary>
      <Table testid="reads" head={['Read at', 'Meter', num('Value'), 'Source', 'Quality']}>
        {reads.map((r) => (
          <tr key={r.id}>
            <td>{formatDate(r.readAt)}</td>
            <td>
              {r.serialNumber} ({r.serviceType})
            </td>
            <td class="num">
              {r.value} {r.unit}
            </td>
            <td>{r.source}</td>
            <td>
              {r.quality}
              {r.superseded ? ' (superseded)' : ''}
            </td>
          </tr>
        ))}
      </Table>
    </details>
  );
}
