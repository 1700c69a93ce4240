// The exceptions queue: held bills with why each is held, what it would bill, the suspect read and its meter's
// last reads, who is on it and by when; filtered by reason, cycle, age and assignee. Billing staff approve,
// correct a read, ask for a re-read, cancel (after confirming) or assign.
import type { Static } from '@sinclair/typebox';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { StaffUser } from '../../../api/routes/staff-queues.schema';
import type { AccountRead } from '../../../api/routes/usage.schema';
import type { ResolutionAction } from '../../../workflows/contracts/billing-cycle';
import { ErrorNote, Table } from '../components/ui';
import { api, type ListOf, type Me } from '../lib/api';
import { type Key, t, useLang } from '../lib/i18n';
import { type Exception, ExceptionRow } from './exception-row';
import { canBill, type Read } from './shared';

const DONE: Record<ResolutionAction, Key> = {
  approve: 'exDoneApprove',
  request_reread: 'exDoneReread',
  cancel: 'exDoneCancel',
  adjust_read: 'exDoneAdjust',
};

export type Staff = Static<typeof StaffUser>;
interface Filters {
  reason: string;
  cycle: string;
  minAge: string;
  assignee: string;
}
const NO_FILTERS: Filters = { reason: '', cycle: '', minAge: '', assignee: '' };

export function Exceptions({ me }: { me: Me }) {
  useLang();
  const [rows, setRows] = useState<Exception[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<Record<string, string>>({});
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [reasons, setReasons] = useState<string[]>([]);
  const [staff, setStaff] = useState<Staff[]>([]);
  const canResolve = canBill(me);
  const load = useCallback(async () => {
    setErr(null);
    const q = new URLSearchParams({ limit: '100' });
    if (filters.reason) q.set('reason', filters.reason);
    if (filters.cycle) q.set('cycle', filters.cycle);
    if (filters.minAge) q.set('min_age_days', filters.minAge);
    if (filters.assignee) q.set('assignee', filters.assignee);
    try {
      const r = await api<{ data: Exception[] }>(`/exceptions?${q}`);
      setRows(r.data);
      // the reasons to filter by: every hold code seen so far
      setReasons((seen) =>
        [...new Set([...seen, ...r.data.flatMap((x) => x.reasons.map((h) => h.code))])].sort(),
      );
    } catch (e) {
      setErr(e);
    }
  }, [filters]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    api<{ data: Staff[] }>('/staff-users').then((r) => setStaff(r.data), setErr);
  }, []);
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
      setDone((d) => ({ ...d, [x.id]: t(DONE[action]) }));
    } catch (e) {
      setErr(e);
    }
  };
  const assign = async (x: Exception, assigneeId: string | null, slaDueOn: string | null) => {
    setErr(null);
    try {
      const a = await api<{ assigneeId: string | null; slaDueOn: string | null }>(
        `/exceptions/${x.id}/assignment`,
        { method: 'POST', body: { assignee_id: assigneeId, sla_due_on: slaDueOn } },
      );
      const name = staff.find((s) => s.id === a.assigneeId)?.displayName ?? null;
      setRows((rs) => (rs ?? []).map((r) => (r.id === x.id ? { ...r, ...a, assigneeName: name } : r)));
      return true;
    } catch (e) {
      setErr(e);
      return false;
    }
  };
  return (
    <section class="card" aria-labelledby="exceptions-title">
      <h1 id="exceptions-title">{t('exTitle')}</h1>
      {!canResolve ? <p class="muted">{t('exRoleNote', { role: me.role ?? '' })}</p> : null}
      <FilterForm filters={filters} reasons={reasons} staff={staff} onApply={setFilters} />
      <ErrorNote error={err} />
      <button type="button" class="secondary" onClick={() => void load()}>
        {t('cqRefresh')}
      </button>
      {rows === null ? (
        <p aria-busy="true">{t('cqLoading')}</p>
      ) : rows.length === 0 ? (
        <p data-testid="exceptions-empty">{filters === NO_FILTERS ? t('exNone') : t('exEmpty')}</p>
      ) : (
        <div class="table-scroll stack">
          <Table
            testid="exceptions"
            head={[
              t('exColAccount'),
              t('exColPeriod'),
              t('exColStatus'),
              t('exColWhy'),
              t('exWouldBe'),
              t('exAssignee'),
              t('exColAction'),
            ]}
          >
            {rows.map((x) => (
              <ExceptionRow
                key={x.id}
                x={x}
                done={done[x.id]}
                canResolve={canResolve}
                staff={staff}
                reads={adjusting?.id === x.id ? adjusting.reads : null}
                onResolve={(action, extra) => void resolve(x, action, extra)}
                onAdjust={() => void openAdjust(x)}
                onAdjusted={() => setAdjusting(null)}
                onAssign={(who, sla) => assign(x, who, sla)}
              />
            ))}
          </Table>
        </div>
      )}
    </section>
  );
}

function FilterForm(props: {
  filters: Filters;
  reasons: string[];
  staff: Staff[];
  onApply: (f: Filters) => void;
}) {
  const [f, setF] = useState(props.filters);
  const set = (k: keyof Filters) => (e: Event) =>
    setF({ ...f, [k]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  return (
    <form
      class="filters"
      data-testid="exception-filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply({ ...f, cycle: f.cycle.trim(), minAge: f.minAge.trim() });
      }}
    >
      <div>
        <label for="exc-reason">{t('exReason')}</label>
        <select id="exc-reason" value={f.reason} onChange={set('reason')}>
          <option value="">{t('cqAny')}</option>
          {[...new Set([...props.reasons, ...(f.reason ? [f.reason] : [])])].map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="exc-cycle">{t('exCycle')}</label>
        <input id="exc-cycle" value={f.cycle} pattern="\d{2}" inputMode="numeric" onInput={set('cycle')} />
      </div>
      <div>
        <label for="exc-age">{t('exMinAge')}</label>
        <input id="exc-age" type="number" min={0} max={3650} value={f.minAge} onInput={set('minAge')} />
      </div>
      <div>
        <label for="exc-assignee">{t('exAssignee')}</label>
        <select id="exc-assignee" value={f.assignee} onChange={set('assignee')}>
          <option value="">{t('exAnyone')}</option>
          <option value="none">{t('exNoOne')}</option>
          {props.staff.map((s) => (
            <option key={s.id} value={s.id}>
              {s.displayName}
            </option>
          ))}
        </select>
      </div>
      <div class="queue-actions">
        <button type="submit">{t('exFilter')}</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setF(NO_FILTERS);
            props.onApply(NO_FILTERS);
          }}
        >
          {t('exClear')}
        </button>
      </div>
    </form>
  );
}
