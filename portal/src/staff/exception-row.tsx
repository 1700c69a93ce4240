// One held bill in the queue: the account, why it is held, and what billing staff may do with it.
import type { Static } from '@sinclair/typebox';
import type { BillException } from '../../../api/routes/bill-runs.schema';
import type { Hold } from '../../../domain/bill-calc';
import type { ExceptionStatus, ResolutionAction } from '../../../workflows/contracts/billing-cycle';
import { AdjustReadForm } from './adjust-read';
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
  /** the reads to correct, while this row's adjust form is open */
  reads: Read[] | null;
  onResolve: (action: ResolutionAction, extra?: Record<string, string>) => void;
  onAdjust: () => void;
  onAdjusted: () => void;
}) {
  const { x, done, canResolve, reads, onResolve } = props;
  return (
    <tr data-exception={x.id} data-account={x.accountNumber}>
      <td>
        <a href={`#/account/${x.accountId}`}>{x.accountNumber}</a>
        <br />
        {x.customerName}
      </td>
      <td>{x.period}</td>
      <td>
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
      <td>
        <ul>
          {x.reasons.map((r) => (
            <li key={`${r.code}${r.message}`}>
              <strong>{r.code}</strong>: {r.message}
            </li>
          ))}
        </ul>
      </td>
      <td>
        {done ? (
          <span class="ok" role="status">
            {done}
          </span>
        ) : canResolve ? (
          <>
            <button type="button" onClick={() => onResolve('approve')}>
              Approve
            </button>{' '}
            <button type="button" class="secondary" onClick={() => onResolve('request_reread')}>
              Request re-read
            </button>{' '}
            <button type="button" class="secondary" onClick={props.onAdjust}>
              Adjust read
            </button>{' '}
            <button type="button" class="danger" onClick={() => onResolve('cancel')}>
              Cancel bill
            </button>
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
          <span class="muted">billing staff only</span>
        )}
      </td>
    </tr>
  );
}
