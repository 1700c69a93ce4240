// Bill runs: the billing cycles with their Temporal schedules (next run) and last run, the past runs, and a run
// to watch or start. Starting one shows what it would do first (GET /bill-runs/:cycle/:period/preview: "1,284
// accounts, 12 held last time") and asks for confirmation; its progress is polled each second.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { BillRunPreview, BillRunSummary } from '../../../api/routes/bill-runs.schema';
import { Card, ErrorNote, Money, num, Table } from '../components/ui';
import { api, type Me, PortalApiError } from '../lib/api';
import { locale, t } from '../lib/i18n';
import { ConfirmAsk } from './confirm';
import { type BillRun, RunProgress } from './run-progress';
import { canBill } from './shared';

function lastMonth() {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

interface CycleRow {
  cycle: string;
  activeAccounts: number;
  lastPeriod: string | null;
  lastBilled: number;
  lastHeld: number;
  schedule: { paused: boolean; nextRun: string | null } | null;
}
// the API's own answers (type-only): the console never restates them
type RunRow = Static<typeof BillRunSummary>;
type Preview = Static<typeof BillRunPreview>;
const n = (x: number) => x.toLocaleString(locale());
const when = (iso: string) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

export function BillRuns({ me }: { me: Me }) {
  const [cycle, setCycle] = useState('01');
  const [period, setPeriod] = useState(lastMonth());
  const [run, setRun] = useState<BillRun | null>(null);
  const [watching, setWatching] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const canStart = canBill(me);
  useEffect(() => {
    if (!watching) return;
    let stop = false;
    const tick = async () => {
      try {
        const r = await api<BillRun>(`/bill-runs/${cycle}/${period}`);
        if (stop) return;
        setRun(r);
        setErr(null);
        if (!r.running) {
          setVersion((v) => v + 1);
          return setWatching(false);
        }
      } catch (e) {
        if (stop) return;
        // no such run: say so once and stop asking (watching again asks again)
        if (e instanceof PortalApiError && e.status === 404) {
          setRun(null);
          setErr(new Error(t('brNoRun', { cycle, period })));
          return setWatching(false);
        }
        setErr(e);
      }
      if (!stop) setTimeout(tick, 1000);
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [watching, cycle, period]);
  const ask = async () => {
    setErr(null);
    try {
      setPreview(await api<Preview>(`/bill-runs/${cycle}/${period}/preview`));
    } catch (e) {
      setErr(e);
    }
  };
  const start = async () => {
    setErr(null);
    setBusy(true);
    try {
      setRun(await api<BillRun>('/bill-runs', { method: 'POST', body: { cycle, period } }));
      setPreview(null);
      setWatching(true);
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="grid">
      <Cycles version={version} />
      <Card title={t('brWatchTitle')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setWatching(true);
          }}
        >
          <label for="cycle">{t('brCycle')}</label>
          <input
            id="cycle"
            value={cycle}
            pattern="\d{2}"
            onInput={(e) => {
              setCycle((e.target as HTMLInputElement).value);
              setPreview(null);
            }}
          />
          <label for="period">{t('brPeriodLabel')}</label>
          <input
            id="period"
            value={period}
            pattern="\d{4}-\d{2}"
            onInput={(e) => {
              setPeriod((e.target as HTMLInputElement).value);
              setPreview(null);
            }}
          />
          <div class="header-actions">
            <button type="submit">{t('brWatch')}</button>
            {canStart ? (
              <button type="button" class="secondary" onClick={() => void ask()}>
                {t('brPreview')}
              </button>
            ) : null}
          </div>
        </form>
        {preview ? (
          <div data-testid="run-preview">
            <p>
              <strong>
                {preview.lastRun
                  ? t('brPreviewText', {
                      accounts: n(preview.accounts),
                      held: n(preview.lastRun.held),
                      period: preview.lastRun.period,
                    })
                  : t('brPreviewFirst', { accounts: n(preview.accounts) })}
              </strong>
              {preview.alreadyBilled
                ? ` ${t('brAlready', { n: n(preview.alreadyBilled), period: preview.period })}`
                : ''}
            </p>
            <ConfirmAsk
              id="start-run"
              question={t('brConfirmAsk', { cycle: preview.cycle, period: preview.period })}
              yes={t('brConfirm')}
              no={t('brCancel')}
              busy={busy}
              onYes={() => void start()}
              onNo={() => setPreview(null)}
            />
          </div>
        ) : null}
        <ErrorNote error={err} />
        {run ? <RunProgress run={run} /> : null}
      </Card>
      <PastRuns version={version} />
    </div>
  );
}

function Cycles({ version }: { version: number }) {
  const [rows, setRows] = useState<CycleRow[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<{ data: CycleRow[] }>('/billing-cycles?limit=100').then((r) => setRows(r.data), setErr);
  }, [version]);
  return (
    <Card title={t('brCycles')}>
      <ErrorNote error={err} />
      {rows ? (
        <Table
          testid="billing-cycles"
          head={[t('brCycle'), num(t('brActive')), t('brNextRun'), t('brLastRun')]}
        >
          {rows.map((c) => (
            <tr key={c.cycle} data-cycle={c.cycle}>
              <td>{c.cycle}</td>
              <td class="num">{n(c.activeAccounts)}</td>
              <td>
                {c.schedule?.nextRun ? when(c.schedule.nextRun) : t('brNoSchedule')}
                {c.schedule?.paused ? ` (${t('brPaused')})` : ''}
              </td>
              <td>
                {c.lastPeriod
                  ? t('brLastRunText', {
                      period: c.lastPeriod,
                      billed: n(c.lastBilled),
                      held: n(c.lastHeld),
                    })
                  : t('brNever')}
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <p>{t('loading')}</p>
      )}
    </Card>
  );
}

function PastRuns({ version }: { version: number }) {
  const [rows, setRows] = useState<RunRow[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<{ data: RunRow[] }>('/bill-runs?limit=12').then((r) => setRows(r.data), setErr);
  }, [version]);
  return (
    <Card title={t('brPastRuns')}>
      <ErrorNote error={err} />
      {rows?.length === 0 ? <p>{t('brNoRuns')}</p> : null}
      {rows?.length ? (
        <Table
          testid="past-runs"
          head={[
            t('brPeriod'),
            t('brCycle'),
            num(t('brBilled')),
            num(t('brHeld')),
            num(t('brCancelled')),
            num(t('brTotal')),
          ]}
        >
          {rows.map((r) => (
            <tr key={r.id} data-run={r.id}>
              <td>{r.period}</td>
              <td>{r.cycle}</td>
              <td class="num">{n(r.billed)}</td>
              <td class="num">{n(r.held)}</td>
              <td class="num">{n(r.cancelled)}</td>
              <td class="num">
                <Money cents={r.billedCents} />
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Card>
  );
}
