// One held bill in the queue: the account, why it is held, what it would bill, the suspect read among its
// meter's last reads, who is on it, and what billing staff may do with it. Approve is not the primary
// action (a held bill is held for a reason), and cancelling asks first.
import type { Static } from '@sinclair/typebox';
import { useState } from 'preact/hooks';
import type { BillException } from '../../../api/routes/bill-runs.schema';
import type { Hold } from '../../../domain/bill-calc';
import type { ExceptionStatus, ResolutionAction } from '../../../workflows/contracts/billing-cycle';
import { Money } from '../components/ui';
import { formatDate, t } from '../lib/i18n';
import { AdjustReadForm } from './adjust-read';
import { ConfirmAsk } from './confirm';
import type { Staff } from './exceptions';
import type { Read } from './shared';

/** The schema leaves status and reasons open; they are the queue's statuses and the bill's holds. */
export type Exception = Omit<Static<typeof BillException>, 'status' | 'reasons'> & {
  status: ExceptionStatus;
  reasons: Hold[];
};

export function ExceptionRow(props: {
  x: Exception;
  done: string | undefined;
  canResolve: boolean;
  staff: Staff[];
  /** the reads to correct, while this row's adjust form is open */
  reads: Read[] | null;
  onResolve: (action: ResolutionAction, extra?: Record<string, string>) => void;
  onAdjust: () => void;
  onAdjusted: () => void;
  onAssign: (assigneeId: string | null, slaDueOn: string | null) => Promise<boolean>;
}) {
  const { x, done, canResolve, reads, onResolve } = props;
  const [cancelling, setCancelling] = useState(false);
  return (
    <tr data-exception={x.id} data-account={x.accountNumber}>
      <td data-label={t('exColAccount')}>
        <a href={`#/account/${x.accountId}`}>{x.accountNumber}</a>
        <br />
        {x.customerName}
        <br />
        <span class="muted">{t('exAge', { n: x.ageDays })}</span>
      </td>
      <td data-label={t('exColPeriod')}>
        {x.period}
        <br />
        <span class="muted">
          {t('exCycleShort')} {x.billingCycle}
        </span>
      </td>
      <td data-label={t('exColStatus')}>
        {x.status}
        {x.workflowUrl ? (
          <>
            {' '}
            <a href={x.workflowUrl} target="_blank" rel="noopener">
              workflow
            </a>
          </>
        ) : null}
      </td>
      <td data-label={t('exColWhy')}>
        <ul>
          {x.reasons.map((r) => (
            <li key={`${r.code}${r.message}`}>
              <strong>{r.code}</strong>: {r.message}
            </li>
          ))}
        </ul>
        {x.meters.map((m) => (
          <ReadHistory key={`${m.serviceAgreementId}${m.serialNumber}`} m={m} />
        ))}
      </td>
      <td data-label={t('exWouldBe')} class="num" data-testid="would-bill">
        {x.wouldBeCents === null ? (
          <span class="muted">{t('exNotRatable')}</span>
        ) : (
          <Money cents={x.wouldBeCents} />
        )}
      </td>
      <td data-label={t('exAssignee')} data-testid="assignment">
        <Assignment x={x} staff={props.staff} canAssign={canResolve && !done} onAssign={props.onAssign} />
      </td>
      <td data-label={t('exColAction')}>
        {done ? (
          <span class="ok" role="status">
            {done}
          </span>
        ) : canResolve ? (
          <>
            <div class="queue-actions">
              <button type="button" class="secondary" onClick={() => onResolve('approve')}>
                {t('exApprove')}
              </button>
              <button type="button" class="secondary" onClick={() => onResolve('request_reread')}>
                {t('exReread')}
              </button>
              <button type="button" class="secondary" onClick={props.onAdjust}>
                {t('exAdjustRead')}
              </button>
              {cancelling ? null : (
                <button type="button" class="danger" onClick={() => setCancelling(true)}>
                  {t('exCancelBill')}
                </button>
              )}
            </div>
            {cancelling ? (
              <ConfirmAsk
                id={`cancel-${x.id}`}
                question={t('exConfirmCancel', { period: x.period, account: x.accountNumber })}
                yes={t('exConfirmCancelYes')}
                no={t('exConfirmCancelNo')}
                onNo={() => setCancelling(false)}
                onYes={() => {
                  setCancelling(false);
                  onResolve('cancel');
                }}
              />
            ) : null}
            {reads ? (
              <AdjustReadForm
                id={x.id}
                reads={reads}
                onSubmit={(extra) => {
                  props.onAdjusted();
                  onResolve('adjust_read', extra);
                }}
              />
            ) : null}
          </>
        ) : (
          <span class="muted">{t('exBillingOnly')}</span>
        )}
      </td>
    </tr>
  );
}

/** A held meter's last reads, newest first, the read the hold is about marked (in words, not colour alone). */
function ReadHistory({ m }: { m: Exception['meters'][number] }) {
  return (
    <table class="read-history" data-testid="read-history" data-meter={m.serialNumber}>
      <caption>{t('exHistory', { serial: m.serialNumber })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('exReadAt')}</th>
          <th scope="col" class="num">
            {t('exValue')}
          </th>
          <th scope="col">{t('exSource')}</th>
        </tr>
      </thead>
      <tbody>
        {m.reads.map((r) => {
          const suspect = r.id === m.suspectReadId;
          return (
            <tr key={r.id} class={suspect ? 'suspect' : undefined} data-suspect={suspect || undefined}>
              <td>
                {formatDate(r.readAt)}
                {suspect ? <strong> · {t('exSuspect')}</strong> : null}
              </td>
              <td class="num">
                {r.value} {m.unit}
              </td>
              <td>
                {r.source}
                {r.quality !== 'valid' ? ` (${r.quality})` : ''}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Assignment(props: {
  x: Exception;
  staff: Staff[];
  canAssign: boolean;
  onAssign: (assigneeId: string | null, slaDueOn: string | null) => Promise<boolean>;
}) {
  const { x } = props;
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState(false);
  const id = `assign-${x.id}`;
  const summary = (
    <p>
      {x.assigneeName ? t('exAssignedTo', { name: x.assigneeName }) : t('exUnassigned')}
      {x.slaDueOn ? (
        <>
          <br />
          {t('exSlaOn', { date: formatDate(x.slaDueOn) })}
        </>
      ) : null}
    </p>
  );
  if (!open)
    return (
      <>
        {summary}
        {saved ? (
          <p class="ok" role="status">
            {t('exAssignedOk')}
          </p>
        ) : null}
        {props.canAssign ? (
          <button type="button" class="secondary" onClick={() => setOpen(true)}>
            {t('exAssign')}
          </button>
        ) : null}
      </>
    );
  return (
    <form
      data-testid="assign-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        const who = String(f.get('assignee') ?? '');
        const sla = String(f.get('sla') ?? '');
        if (await props.onAssign(who || null, sla || null)) {
          setOpen(false);
          setSaved(true);
        }
      }}
    >
      <label for={`${id}-who`}>{t('exAssignTo')}</label>
      <select id={`${id}-who`} name="assignee" defaultValue={x.assigneeId ?? ''}>
        <option value="">{t('exNoOne')}</option>
        {props.staff.map((s) => (
          <option key={s.id} value={s.id}>
            {s.displayName} ({s.role})
          </option>
        ))}
      </select>
      <label for={`${id}-sla`}>{t('exSlaDate')}</label>
      <input id={`${id}-sla`} name="sla" type="date" defaultValue={x.slaDueOn ?? ''} />
      <button type="submit">{t('exSaveAssign')}</button>
    </form>
  );
}
