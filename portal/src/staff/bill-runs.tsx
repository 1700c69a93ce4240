// The bill-run dashboard: watch a cycle's run for a period (or start it, billing staff), polled each second.
import { useEffect, useState } from 'preact/hooks';
import { Card, ErrorNote } from '../components/ui';
import { api, type Me, PortalApiError } from '../lib/api';
import { type BillRun, RunProgress } from './run-progress';
import { canBill } from './shared';

function lastMonth() {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

export function BillRuns({ me }: { me: Me }) {
  const [cycle, setCycle] = useState('01');
  const [period, setPeriod] = useState(lastMonth());
  const [run, setRun] = useState<BillRun | null>(null);
  const [watching, setWatching] = useState(false);
  const [err, setErr] = useState<unknown>(null);
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
        if (!r.running) return setWatching(false);
      } catch (e) {
        if (stop) return;
        // no such run: say so once and stop asking (watching again asks again)
        if (e instanceof PortalApiError && e.status === 404) {
          setRun(null);
          setErr(new Error(`No bill run for cycle ${cycle}, period ${period} yet`));
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
  const start = async () => {
    setErr(null);
    try {
      setRun(await api<BillRun>('/bill-runs', { method: 'POST', body: { cycle, period } }));
      setWatching(true);
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Card title="Bill-run dashboard">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setWatching(true);
        }}
      >
        <label for="cycle">Cycle</label>
        <input
          id="cycle"
          value={cycle}
          pattern="\d{2}"
          onInput={(e) => setCycle((e.target as HTMLInputElement).value)}
        />
        <label for="period">Period (YYYY-MM)</label>
        <input
          id="period"
          value={period}
          pattern="\d{4}-\d{2}"
          onInput={(e) => setPeriod((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Watch</button>{' '}
        {canStart ? (
          <button type="button" class="secondary" onClick={() => void start()}>
            Start or re-run
          </button>
        ) : null}
      </form>
      <ErrorNote error={err} />
      {run ? <RunProgress run={run} /> : null}
    </Card>
  );
}
