// The exceptions queue: held bills with why each is held; billing staff approve, correct a read, ask for a
// re-read or cancel.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AccountRead } from '../../../api/routes/usage.schema';
import type { ResolutionAction } from '../../../workflows/contracts/billing-cycle';
import { Card, ErrorNote, Table } from '../components/ui';
import { api, type ListOf, type Me } from '../lib/api';
import { type Exception, ExceptionRow } from './exception-row';
import { canBill, type Read } from './shared';

const DONE: Record<ResolutionAction, string> = {
  approve: 'Approved: the bill is issuing',
  request_reread: 'Re-read requested',
  cancel: 'Cancelled',
  adjust_read: 'Read corrected: re-rating',
};

export function Exceptions({ me }: { me: Me }) {
  const [rows, setRows] = useState<Exception[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<Record<string, string>>({});
  const canResolve = canBill(me);
  const load = useCallback(
    () => api<{ data: Exception[] }>('/exceptions?limit=100').then((r) => setRows(r.data), setErr),
    [],
  );
  useEffect(() => void load(), [load]);
  const [adjusting, setAdjusting] = useState<{ id: string; reads: Read[] } | null>(null);
  const openAdjust = async (x: Exception) => {
    setErr(null);
    try {
      const r = await api<ListOf<typeof AccountRead>>(`/accounts/${x.accountId}/reads?limit=12`);
      setAdjusting({ id: x.id, reads: r.data.filter((d) => !d.superseded) });
    } catch (e) {
      setErr(e);
    }
  };
  const resolve = async (x: Exception, action: ResolutionAction, extra: Record<string, string> = {}) => {
    setErr(null);
    try {
      await api(`/exceptions/${x.id}/resolve`, {
        method: 'POST',
        body: { action, note: `from the staff console by ${me.email}`, ...extra },
      });
      setDone((d) => ({ ...d, [x.id]: DONE[action] }));
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Card title="Exceptions queue: held bills">
      {!canResolve ? (
        <p class="muted">Your role ({me.role}) can see held bills; billing staff resolve them.</p>
      ) : null}
      <ErrorNote error={err} />
      <button type="button" class="secondary" onClick={() => void load()}>
        Refresh
      </button>
      {rows === null ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <p>No held bills. </p>
      ) : (
        <Table testid="exceptions" head={['Account', 'Period', 'Status', 'Why it is held', 'Action']}>
          {rows.map((x) => (
            <ExceptionRow
              key={x.id}
              x={x}
              done={done[x.id]}
              canResolve={canResolve}
              reads={adjusting?.id === x.id ? adjusting.reads : null}
              onResolve={(action, extra) => void resolve(x, action, extra)}
              onAdjust={() => void openAdjust(x)}
              onAdjusted={() => setAdjusting(null)}
            />
          ))}
        </Table>
      )}
    </Card>
  );
}
