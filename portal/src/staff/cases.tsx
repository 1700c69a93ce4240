// The disputes and service requests queue: open cases, the nearest SLA first, filtered by kind and status and
// paged by cursor; billing staff resolve disputes and approve or reject requests from the row.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { DisputeStatus } from '../../../workflows/contracts/dispute';
import type { ServiceRequestStatus } from '../../../workflows/contracts/service-request';
import { ErrorNote, Table } from '../components/ui';
import { api, type Me } from '../lib/api';
import { t, useLang } from '../lib/i18n';
import { type Case, type CaseAction, CaseRow, caseWord } from './case-row';
import { canBill } from './shared';

const KINDS = [
  'dispute',
  'start_service',
  'stop_service',
  'transfer',
  'mailing_address',
  'reread',
  'seasonal_suspend',
  'seasonal_resume',
];
const STATUSES = [
  'open',
  'investigating',
  'escalated',
  'submitted',
  'awaiting_approval',
  'in_progress',
] satisfies (DisputeStatus | ServiceRequestStatus)[];
const PAGE = 25;

/** Today in the browser's calendar, to mark an SLA date that has passed. */
const todayIso = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function Cases({ me }: { me: Me }) {
  useLang();
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('');
  const [rows, setRows] = useState<Case[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<Record<string, string>>({});
  const query = (after?: string) => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (kind) q.set('kind', kind);
    if (status) q.set('status', status);
    if (after) q.set('starting_after', after);
    return `/cases?${q}`;
  };
  const load = useCallback(async () => {
    setErr(null);
    try {
      const r = await api<{ data: Case[]; has_more: boolean }>(query());
      setRows(r.data);
      setHasMore(r.has_more);
    } catch (e) {
      setErr(e);
    }
  }, [kind, status]);
  useEffect(() => void load(), [load]);
  const more = async () => {
    const last = rows?.at(-1);
    if (!last) return;
    try {
      const r = await api<{ data: Case[]; has_more: boolean }>(query(last.id));
      setRows([...(rows ?? []), ...r.data]);
      setHasMore(r.has_more);
    } catch (e) {
      setErr(e);
    }
  };
  const act = async (c: Case, a: CaseAction): Promise<boolean> => {
    setErr(null);
    try {
      if (a.kind === 'resolve') {
        await api(`/disputes/${c.id}/resolve`, { method: 'POST', body: a.body });
        setDone((d) => ({ ...d, [c.id]: t('cqResolved', { resolution: caseWord(a.body.resolution) }) }));
      } else if (a.kind === 'approve') {
        await api(`/service-requests/${c.id}/approve`, { method: 'POST', body: {} });
        setDone((d) => ({ ...d, [c.id]: t('cqApproved') }));
      } else {
        await api(`/service-requests/${c.id}/reject`, { method: 'POST', body: { note: a.note } });
        setDone((d) => ({ ...d, [c.id]: t('cqRejected') }));
      }
      return true;
    } catch (e) {
      setErr(e);
      return false;
    }
  };
  const today = todayIso();
  return (
    <section class="card" aria-labelledby="cases-title">
      <h1 id="cases-title">{t('cqTitle')}</h1>
      <p class="muted">{t('cqIntro')}</p>
      <div class="filters">
        <div>
          <label for="case-kind">{t('cqKind')}</label>
          <select
            id="case-kind"
            value={kind}
            onChange={(e) => setKind((e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('cqAny')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {caseWord(k)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="case-status">{t('cqStatus')}</label>
          <select
            id="case-status"
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('cqAny')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {caseWord(s)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="button" class="secondary" onClick={() => void load()}>
            {t('cqRefresh')}
          </button>
        </div>
      </div>
      <ErrorNote error={err} />
      {rows === null ? (
        <p aria-busy="true">{t('cqLoading')}</p>
      ) : rows.length === 0 ? (
        <p data-testid="cases-empty">{t('cqEmpty')}</p>
      ) : (
        <div class="table-scroll stack">
          <Table
            testid="cases"
            head={[t('cqCase'), t('cqAccount'), t('cqStatus'), t('cqSla'), t('cqAge'), t('cqAction')]}
          >
            {rows.map((c) => (
              <CaseRow
                key={c.id}
                c={c}
                today={today}
                canDecide={canBill(me)}
                done={done[c.id]}
                onAct={(a) => act(c, a)}
              />
            ))}
          </Table>
        </div>
      )}
      {hasMore ? (
        <button type="button" class="secondary" onClick={() => void more()}>
          {t('cqMore')}
        </button>
      ) : null}
    </section>
  );
}
