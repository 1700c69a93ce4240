// The 360's head: who and where, the live balance, a carried solar credit, and the balance by age.
import type { Static } from '@sinclair/typebox';
import type { AccountAging } from '../../../api/routes/usage.schema';
import { Money } from '../components/ui';
import type { AccountSummary } from '../lib/api';

export type Aging = Static<typeof AccountAging>;

export function AccountSummaryCard({
  a,
  aging,
  live,
}: {
  a: AccountSummary;
  aging: Aging | null;
  live: boolean;
}) {
  const addr = a.serviceAgreements[0];
  return (
    <section class="card" aria-label="Account">
      <h1>
        {a.customer.name} · {a.accountNumber}
      </h1>
      <p class="muted">
        {addr ? `${addr.addressLine1}, ${addr.city} ${addr.state} ${addr.postalCode}` : 'No service address'}{' '}
        · cycle {a.billingCycle} · {a.status} · {a.paperless ? 'paperless' : 'paper bills'} ·{' '}
        {a.serviceAgreements.map((s) => `${s.serviceType} (${s.rateSchedule})`).join(', ')}
      </p>
      <p>Balance {live ? <span class="live">● live</span> : null}</p>
      <p class="balance" data-testid="balance" aria-live="polite">
        <Money cents={a.balanceCents} />
      </p>
      {a.netMeteringCreditCents ? (
        <p data-testid="solar-credit">
          Net metering credit carried: <Money cents={a.netMeteringCreditCents} />
        </p>
      ) : null}
      {aging ? <AgingKpis buckets={aging.buckets} /> : null}
    </section>
  );
}

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
