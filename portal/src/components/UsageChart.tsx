// Usage per month for one service, beside the same month a year before: a Chart.js bar chart, with the same
// numbers as a table for screen readers and for anyone who prefers one.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import type { Usage } from '../lib/api';
import { formatMonth, t, word } from '../lib/i18n';
import { num, Table } from './ui';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

type Service = Usage['services'][number];

export function UsageChart({ service, lang }: { service: Service; lang: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const labels = service.usage.map((u) => formatMonth(u.period));
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            type: 'bar',
            label: `${t('thisPeriod')} (${service.unit})`,
            data: service.usage.map((u) => (u.quantity === null ? null : Number(u.quantity))),
            backgroundColor: '#0b5fff',
          },
          {
            type: 'line',
            label: `${t('lastYear')} (${service.unit})`,
            data: service.usage.map((u) => (u.lastYear === null ? null : Number(u.lastYear))),
            borderColor: '#b45309',
            backgroundColor: '#b45309',
            pointStyle: 'rectRot',
            borderDash: [6, 4],
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: service.unit } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [service, lang]);

  const name = word(service.serviceType);
  return (
    <figure class="usage" data-service={service.serviceType} data-months={service.usage.length}>
      <figcaption>
        <strong>{name}</strong> <span class="muted">({service.meters.join(', ')})</span>
      </figcaption>
      <div class="chart-box">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`${t('usageTitle')}: ${name}, ${service.usage.length} ${t('month')}`}
        />
      </div>
      <details>
        <summary>{t('showTable')}</summary>
        <Table head={[t('month'), num(`${t('thisPeriod')} (${service.unit})`), num(t('lastYear'))]}>
          {service.usage.map((u) => (
            <tr key={u.period}>
              <th scope="row">{formatMonth(u.period)}</th>
              <td class="num">{u.quantity ?? '—'}</td>
              <td class="num">{u.lastYear ?? '—'}</td>
            </tr>
          ))}
        </Table>
      </details>
    </figure>
  );
}
