// The 360's past-due line: the same answer the customer's banner shows (GET /accounts/:id/past-due), so a rep
// reads the amount, the late fees and the next collections step the customer is reading, to the cent.
import { type PastDue, usePastDue } from '../components/PastDueBanner';
import { Money } from '../components/ui';
import { formatDate, plainWord } from '../lib/i18n';
import { formatCents } from '../lib/money';

const STEP: Record<NonNullable<PastDue['collections']['nextStep']>['kind'], string> = {
  late_fee: 'Late fee',
  final_notice: 'Final notice',
  disconnect: 'Disconnect',
};

export function PastDueSummary({ accountId, version }: { accountId: string; version: unknown }) {
  const { pastDue: p } = usePastDue(accountId, version);
  if (!p || p.pastDueCents <= 0) return null;
  const step = p.collections.nextStep;
  return (
    <section class="card past-due" aria-label="Past due" data-testid="staff-past-due">
      <p>
        Past due{' '}
        <strong>
          <Money cents={p.pastDueCents} />
        </strong>
        {p.oldestDueDate ? ` since ${formatDate(p.oldestDueDate)} (${p.daysPastDue} days)` : ''} · stage{' '}
        {plainWord(p.collections.stage)}
        {step ? ` · next: ${STEP[step.kind]} ${formatDate(step.on)}` : ''}
        {p.collections.disconnectOn ? ` · disconnect from ${formatDate(p.collections.disconnectOn)}` : ''}
        {p.lateFees.length
          ? ` · late fees ${p.lateFees.map((f) => `${formatCents(f.feeCents)} on ${formatDate(f.chargedOn)}`).join(', ')}`
          : ''}
        {p.arrangement ? ' · on a payment arrangement' : ''}
      </p>
    </section>
  );
}
