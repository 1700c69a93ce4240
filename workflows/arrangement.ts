// A payment arrangement: `arrangement/{id}`. At each instalment's due date plus the grace days, the
// payments made since the arrangement began must cover every instalment due so far; if not, it is broken
// and collections resumes on what it covered. When the last one is covered, it is completed.
import { proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collections.js';
import type { CustomerServiceActivities } from '../activities/customer-service.js';
import { addDays } from '../domain/period.js';
import { msUntilDay, startClock } from '../domain/policy-clock.js';
import type { ArrangementInput, ArrangementResult } from './contracts/arrangement.js';
import { AccountNumber } from './contracts/search-attributes.js';

const acts = proxyActivities<CustomerServiceActivities & CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function arrangementWorkflow(input: ArrangementInput): Promise<ArrangementResult> {
  const a = await acts.loadArrangement({ arrangementId: input.arrangementId });
  if (a.accountNumber) upsertSearchAttributes([{ key: AccountNumber, value: a.accountNumber }]);
  if (a.status !== 'active') return { status: a.status };
  const clock = startClock(a.dayLength, Date.now(), a.clockStart);
  let dueSoFar = 0;
  for (const i of a.installments) {
    dueSoFar += i.amountCents;
    const deadline = addDays(i.dueDate, a.installmentGraceDays);
    const wait = msUntilDay(clock, addDays(deadline, 1), Date.now());
    if (wait > 0) await sleep(wait);
    const paid = await acts.arrangementPaid({ accountId: a.accountId, since: a.createdAt });
    if (paid < dueSoFar) {
      await acts.closeArrangement({
        arrangementId: input.arrangementId,
        status: 'broken',
        detail: { missedInstallment: i.seq, dueCents: dueSoFar, paidCents: paid },
      });
      await acts.nudgeCollections({ accountId: a.accountId, reason: 'arrangement_broken', start: true });
      return { status: 'broken' as const, missedInstallment: i.seq };
    }
  }
  await acts.closeArrangement({
    arrangementId: input.arrangementId,
    status: 'completed',
    detail: { paidCents: dueSoFar },
  });
  await acts.nudgeCollections({ accountId: a.accountId, reason: 'arrangement_completed' });
  return { status: 'completed' as const };
}
