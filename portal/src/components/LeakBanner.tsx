// An open suspected leak (GET /accounts/:id/leak-episodes), in one sentence: "Possible leak since Dec 2:
// water ran every hour for 31 hours". Shown on the customer's overview and the staff 360.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { LeakEpisode } from '../../../api/routes/leaks.schema';
import { api } from '../lib/api';
import { formatDate, t } from '../lib/i18n';

type Episode = Static<typeof LeakEpisode>;

export function leakSentence(e: Episode): string {
  const since = formatDate(e.since);
  const ev = e.evidence;
  if (e.kind === 'continuous' && ev.hours)
    return t(ev.atLeast ? 'leakContinuousAtLeast' : 'leakContinuous', { since, hours: ev.hours });
  return t('leakNight', {
    since,
    lowest: ev.nightLowest ?? '',
    normal: ev.nightNormal ?? '0',
    unit: ev.unit,
  });
}

export function LeakBanner({ accountId }: { accountId: string }) {
  const [open, setOpen] = useState<Episode | null>(null);
  useEffect(() => {
    let current = true;
    api<{ data: Episode[] }>(`/accounts/${accountId}/leak-episodes?limit=5`).then(
      (r) => current && setOpen(r.data.find((e) => e.status === 'open') ?? null),
      () => {}, // the banner is extra: without it the page still works
    );
    return () => {
      current = false;
    };
  }, [accountId]);
  if (!open) return null;
  return (
    <div class="card notice" role="status" data-testid="leak-banner">
      <strong>{leakSentence(open)}</strong> <span>{t('leakAdvice')}</span>
    </div>
  );
}
