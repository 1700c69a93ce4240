// The account's workflows, each named by what it drives and where that stands ("Dispute · investigating ·
// SLA Dec 11"), with its Temporal status; the workflow id stays beside it for ops, linked into the Temporal UI.
import type { Static } from '@sinclair/typebox';
import type { AccountWorkflow } from '../../../api/routes/bills.schema';
import type { WORKFLOW_TYPES } from '../../../workflows/contracts/names';
import { Card, ErrorNote } from '../components/ui';
import { formatDate, formatMonth, type Key, plainWord, t } from '../lib/i18n';

export type Workflow = Static<typeof AccountWorkflow>;

const TYPE_WORD: Record<(typeof WORKFLOW_TYPES)[keyof typeof WORKFLOW_TYPES], Key> = {
  arrangementWorkflow: 'wfArrangement',
  autopayWorkflow: 'wfAutopay',
  billRunWorkflow: 'wfBillRun',
  billingCycleWorkflow: 'wfBill',
  collectionsHandoffWorkflow: 'wfHandoff',
  disputeWorkflow: 'wfDispute',
  dunningWorkflow: 'wfCollection',
  highUsageCheckWorkflow: 'wfHighUsage',
  intervalPartitionsWorkflow: 'wfIntervalPartitions',
  leakCheckWorkflow: 'wfLeakCheck',
  notificationWorkflow: 'wfNotification',
  // on an account's list only when the page held that account's notices alone
  notificationBatchWorkflow: 'wfNotification',
  paymentWorkflow: 'wfPayment',
  rateImpactWorkflow: 'wfRateImpact',
  refundWorkflow: 'wfRefund',
  serviceRequestWorkflow: 'wfServiceRequest',
};

/** "Dispute · investigating · SLA Dec 11", "Bill · Oct 2026 · issued", "Service request · stop service · in progress". */
export function workflowName(w: Workflow): string {
  const type = t(TYPE_WORD[w.type as keyof typeof TYPE_WORD] ?? 'wfOther');
  const a = w.about;
  if (!a) return [type, w.billStatus ? plainWord(w.billStatus) : null].filter(Boolean).join(' · ');
  const subject = a.subject
    ? a.subjectType === 'bill'
      ? formatMonth(a.subject)
      : plainWord(a.subject)
    : null;
  return [type, subject, plainWord(a.status), a.dueOn ? t('wfSla', { date: formatDate(a.dueOn) }) : null]
    .filter(Boolean)
    .join(' · ');
}

export function WorkflowsCard({ flows, err }: { flows: Workflow[] | null; err: unknown }) {
  return (
    <Card title={t('wfTitle')}>
      {err ? <ErrorNote error={err} /> : null}
      {flows ? (
        flows.length ? (
          <ul data-testid="workflows" class="workflows">
            {flows.map((w) => (
              <li key={w.workflowId} data-workflow={w.workflowId}>
                <strong class="wf-name">{workflowName(w)}</strong>{' '}
                <span class="muted">({plainWord(w.status.toLowerCase())})</span>
                <br />
                <span class="muted wf-id" title={w.workflowId}>
                  {w.url ? (
                    <a href={w.url} target="_blank" rel="noopener">
                      {t('wfOpenUi')}: {w.workflowId}
                    </a>
                  ) : (
                    w.workflowId
                  )}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('wfNone')}</p>
        )
      ) : (
        <p>{t('loading')}</p>
      )}
    </Card>
  );
}
