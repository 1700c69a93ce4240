// The 360's balance by age (its Ledger tab); the head itself is account360.tsx's AccountHeader.
import type { Static } from '@sinclair/typebox';
import type { AccountAging } from '../../../api/routes/usage.schema';
import { Money } from '../components/ui';

export type Aging = Static<typeof AccountAging>;

export function AgingKpis({ buckets }: { buckets: Aging['buckets'] }) {
  return (
    <div class="kpis" data-testid="aging">
      {(
        [
          ['0–30 days', buckets.current],
          ['31–60 days', buckets.days31to60],
          ['61–90 days', buckets.days61to90],
          ['Over 90 days', buckets.over90],
        ] as const
      ).map(([label, cents]) => (
        <div class="kpi" key={label}>
          <span class="muted">{label}</span>
          <strong>
            <Money cents={cents} />
          </strong>
        </div>
      ))}
    </div>
  );
}
