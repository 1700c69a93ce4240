// One open case in the work queue: what it is, whose, its SLA and age, and what billing staff may do with it:
// resolve a dispute (upheld, adjusted by a credit, or rebilled), approve or reject a service request.
import type { Static } from '@sinclair/typebox';
import { useState } from 'preact/hooks';
import type { Case as CaseSchema } from '../../../api/routes/staff-queues.schema';
import { formatDate, type Key, locale, t } from '../lib/i18n';
import { formatCents } from '../lib/money';
import { ConfirmAsk } from './confirm';
import { ResolveDispute } from './resolve-dispute';

export type Case = Static<typeof CaseSchema>;
export type Resolution = 'upheld' | 'adjusted' | 'rebill';
/** What the row asks the API to do, once confirmed. */
export type CaseAction =
  | {
      kind: 'resolve';
      body: {
        resolution: Resolution;
        credit_cents?: number;
        corrections?: { read_id: string; value: string }[];
        note?: string;
      };
    }
  | { kind: 'approve' }
  | { kind: 'reject'; note: string };

/** Kinds, statuses and resolutions in the console's words; anything else is shown as its code. */
const WORDS: Record<string, Key> = {
  dispute: 'cqK_dispute',
  start_service: 'cqK_start_service',
  stop_service: 'cqK_stop_service',
  transfer: 'cqK_transfer',
  mailing_address: 'cqK_mailing_address',
  reread: 'cqK_reread',
  seasonal_suspend: 'cqK_seasonal_suspend',
  seasonal_resume: 'cqK_seasonal_resume',
  open: 'cqS_open',
  investigating: 'cqS_investigating',
  escalated: 'cqS_escalated',
  submitted: 'cqS_submitted',
  awaiting_approval: 'cqS_awaiting_approval',
  in_progress: 'cqS_in_progress',
  upheld: 'cqR_upheld',
  adjusted: 'cqR_adjusted',
  rebill: 'cqR_rebill',
  start_date: 'cqD_start_date',
  stop_date: 'cqD_stop_date',
  move_date: 'cqD_move_date',
  line1: 'cqD_line1',
  line2: 'cqD_line2',
  city: 'cqD_city',
  state: 'cqD_state',
  postal_code: 'cqD_postal_code',
};
export const caseWord = (code: string) => (WORDS[code] ? t(WORDS[code]) : code);

export function CaseRow(props: {
  c: Case;
  today: string;
  canDecide: boolean;
  done: string | undefined;
  onAct: (a: CaseAction) => Promise<boolean>;
}) {
  const { c, today } = props;
  const overdue = c.slaDueOn < today;
  return (
    <tr data-case={c.id} data-kind={c.kind} data-status={c.status}>
      <td data-label={t('cqCase')}>
        <strong>{caseWord(c.kind)}</strong>
        <br />
        {c.type === 'dispute' && c.disputedCents !== null ? (
          <span class="muted">
            {t('cqDisputed', {
              amount: formatCents(c.disputedCents, locale()),
              period: c.billPeriod ?? '',
            })}
          </span>
        ) : null}
        {c.reason ? <div>{c.reason}</div> : null}
        {c.premiseAddress ? <div>{c.premiseAddress}</div> : null}
        {c.details ? <CaseDetails details={c.details} /> : null}
      </td>
      <td data-label={t('cqAccount')}>
        {c.accountId ? <a href={`#/account/${c.accountId}`}>{c.accountNumber}</a> : null}
        {c.customerName ? (
          <>
            <br />
            {c.customerName}
          </>
        ) : null}
      </td>
      <td data-label={t('cqStatus')}>{caseWord(c.status)}</td>
      <td data-label={t('cqSla')}>
        <span class={overdue ? 'error' : undefined}>{formatDate(c.slaDueOn)}</span>
        {overdue ? <span class="error"> · {t('cqOverdue')}</span> : null}
      </td>
      <td data-label={t('cqAge')}>{t('cqDays', { n: c.ageDays })}</td>
      <td data-label={t('cqAction')}>
        {props.done ? (
          <span class="ok" role="status">
            {props.done}
          </span>
        ) : !props.canDecide ? (
          <span class="muted">{t('cqBillingOnly')}</span>
        ) : c.type === 'dispute' ? (
          <ResolveDispute c={c} onAct={props.onAct} />
        ) : c.status === 'awaiting_approval' ? (
          <DecideRequest c={c} onAct={props.onAct} />
        ) : (
          <span class="muted">{t('cqWaitingWork')}</span>
        )}
      </td>
    </tr>
  );
}

function CaseDetails({ details }: { details: Record<string, unknown> }) {
  // premise ids are shown as their address (above)
  const shown = Object.entries(details).filter(
    ([k, v]) => typeof v === 'string' && v && !k.endsWith('premise_id'),
  );
  if (!shown.length) return null;
  return (
    <ul class="muted details">
      {shown.map(([k, v]) => (
        <li key={k}>
          {caseWord(k)}: {/^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? formatDate(String(v)) : String(v)}
        </li>
      ))}
    </ul>
  );
}

function DecideRequest({ c, onAct }: { c: Case; onAct: (a: CaseAction) => Promise<boolean> }) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = `decide-${c.id}`;
  if (!rejecting)
    return (
      <div class="queue-actions">
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await onAct({ kind: 'approve' });
            setBusy(false);
          }}
        >
          {t('cqApprove')}
        </button>
        <button type="button" class="secondary" onClick={() => setRejecting(true)}>
          {t('cqReject')}
        </button>
      </div>
    );
  return (
    <form
      data-testid="reject-request"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) setAsking(true);
      }}
    >
      <label for={`${id}-reason`}>{t('cqRejectReason')}</label>
      <textarea
        id={`${id}-reason`}
        required
        maxLength={1000}
        value={reason}
        onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
      />
      {asking ? (
        <ConfirmAsk
          id={id}
          question={t('cqConfirmReject')}
          busy={busy}
          onNo={() => setAsking(false)}
          onYes={async () => {
            setBusy(true);
            const ok = await onAct({ kind: 'reject', note: reason.trim() });
            setBusy(false);
            if (!ok) setAsking(false);
          }}
        />
      ) : (
        <button type="submit" class="danger">
          {t('cqRejectSubmit')}
        </button>
      )}
    </form>
  );
}
