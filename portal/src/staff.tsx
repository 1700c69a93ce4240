// The staff console: search, the account on one screen (360), the exceptions queue, bill runs and reports.
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { BillRunProgress } from '../../workflows/contracts/bill-run';
import type { ExceptionStatus, ResolutionAction } from '../../workflows/contracts/billing-cycle';
import {
  ActionsPanel,
  DisputesPanel,
  DunningPanel,
  FieldOrdersPanel,
  LoginsPanel,
  MessagesPanel,
  ServiceOrdersPanel,
} from './components/staff360';
import { UsageChart } from './components/UsageChart';
import { Card, ErrorNote, Money } from './components/ui';
import {
  type AccountSummary,
  api,
  login,
  logout,
  type Me,
  newKey,
  PortalApiError,
  type Usage,
} from './lib/api';
import { formatDate, useLang } from './lib/i18n';
import { useAccountEvents } from './lib/live';
import { parseDollars } from './lib/money';

const BILLING_ROLES = ['billing_admin', 'supervisor', 'admin'];

function useHash() {
  const [hash, setHash] = useState(location.hash || '#/search');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/search');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const hash = useHash();
  useEffect(() => {
    api<Me>('/me').then(setMe, () => setMe(null));
  }, []);
  const nav = [
    ['#/search', 'Search'],
    ['#/exceptions', 'Exceptions'],
    ['#/bill-runs', 'Bill runs'],
    ['#/reports', 'Reports'],
  ] as const;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <strong>cisflow · Staff console</strong>
        {me ? (
          <nav class="header-actions" aria-label="Staff console">
            {nav.map(([h, label]) => (
              <a key={h} href={h} aria-current={hash.startsWith(h) ? 'page' : undefined}>
                {label}
              </a>
            ))}
            <span>
              {me.displayName} ({me.role})
            </span>
            <button type="button" class="link" onClick={() => void logout()}>
              Sign out
            </button>
          </nav>
        ) : null}
      </header>
      <main id="main" tabIndex={-1}>
        {me === undefined ? (
          <p>Loading…</p>
        ) : !me ? (
          <StaffLogin onDone={setMe} />
        ) : me.kind !== 'staff' ? (
          <p class="card">
            This console is for utility staff. <a href="/portal">Go to My account</a>
          </p>
        ) : (
          <Route hash={hash} me={me} />
        )}
      </main>
    </>
  );
}

function Route({ hash, me }: { hash: string; me: Me }) {
  const [path, query = ''] = hash.slice(1).split('?');
  const parts = (path ?? '').split('/').filter(Boolean);
  if (parts[0] === 'account' && parts[1]) return <Account360 key={parts[1]} id={parts[1]} me={me} />;
  if (parts[0] === 'exceptions') return <Exceptions me={me} />;
  if (parts[0] === 'bill-runs') return <BillRuns me={me} />;
  if (parts[0] === 'reports') return <Reports />;
  return <Search initial={new URLSearchParams(query).get('q') ?? ''} />;
}

function StaffLogin({ onDone }: { onDone: (m: Me) => void }) {
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      onDone(await login(String(f.get('email')), String(f.get('password'))));
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>Staff sign in</h1>
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      <button type="submit">Sign in</button>
      <ErrorNote error={err} />
    </form>
  );
}

interface Hit {
  id: string;
  accountNumber: string;
  customerName: string;
  phone: string | null;
  address: string | null;
  status: string;
  balanceCents: number;
  matchedOn: string[];
}

function Search({ initial }: { initial: string }) {
  const [q, setQ] = useState(initial);
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const run = useCallback(async (text: string) => {
    setErr(null);
    if (text.trim().length < 2) return setHits(null);
    try {
      setHits((await api<{ data: Hit[] }>(`/search?q=${encodeURIComponent(text.trim())}`)).data);
    } catch (e) {
      setErr(e);
    }
  }, []);
  useEffect(() => void run(initial), [initial, run]);
  return (
    <Card title="Find an account">
      <form
        aria-label="Search accounts"
        onSubmit={(e) => {
          e.preventDefault();
          history.replaceState(null, '', `#/search?q=${encodeURIComponent(q)}`);
          void run(q);
        }}
      >
        <label for="q">Name, account number, address, meter number or phone</label>
        <input id="q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={err} />
      {hits && hits.length === 0 ? <p>No accounts match.</p> : null}
      {hits?.length ? (
        <table data-testid="search-results">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Customer</th>
              <th scope="col">Address</th>
              <th scope="col">Phone</th>
              <th scope="col" class="num">
                Balance
              </th>
              <th scope="col">Matched</th>
            </tr>
          </thead>
          <tbody>
            {hits.map((h) => (
              <tr key={h.id}>
                <td>
                  <a href={`#/account/${h.id}`}>{h.accountNumber}</a>
                </td>
                <td>{h.customerName}</td>
                <td>{h.address ?? '—'}</td>
                <td>{h.phone ?? '—'}</td>
                <td class="num">
                  <Money cents={h.balanceCents} />
                </td>
                <td>{h.matchedOn.join(', ').replace('_', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}

interface Aging {
  balanceCents: number;
  buckets: { current: number; days31to60: number; days61to90: number; over90: number };
  oldestOpenCharge: string | null;
}
interface Read {
  id: string;
  serialNumber: string;
  serviceType: string;
  readAt: string;
  value: string;
  unit: string;
  source: string;
  quality: string;
  superseded: boolean;
}
interface Workflow {
  workflowId: string;
  type: string;
  status: string;
  billStatus: string | null;
  startTime: string;
  url: string | null;
}

function Account360({ id, me }: { id: string; me: Me }) {
  const lang = useLang();
  const [a, setA] = useState<AccountSummary | null>(null);
  const [aging, setAging] = useState<Aging | null>(null);
  const [usage, setUsage] = useState<Usage | null>(null);
  const [reads, setReads] = useState<Read[] | null>(null);
  const [flows, setFlows] = useState<Workflow[] | null>(null);
  const [flowErr, setFlowErr] = useState<unknown>(null);
  const [err, setErr] = useState<unknown>(null);
  const [live, setLive] = useState(false);
  const [version, setVersion] = useState(0);
  const load = useCallback(async () => {
    try {
      const [s, g] = await Promise.all([
        api<AccountSummary>(`/accounts/${id}`),
        api<Aging>(`/accounts/${id}/aging`),
      ]);
      setA(s);
      setAging(g);
    } catch (e) {
      setErr(e);
    }
  }, [id]);
  useEffect(() => {
    void load();
    api<Usage>(`/accounts/${id}/usage?months=24`).then(setUsage, setErr);
    api<{ data: Read[] }>(`/accounts/${id}/reads?limit=24`).then((r) => setReads(r.data), setErr);
    api<{ data: Workflow[] }>(`/accounts/${id}/workflows`).then((r) => setFlows(r.data), setFlowErr);
  }, [id, load]);
  useAccountEvents(id, (e) => {
    setLive(true);
    setA((prev) => (prev ? { ...prev, balanceCents: e.balanceCents } : prev));
    if (e.type !== 'balance') void load();
  });
  if (err) return <ErrorNote error={err} />;
  if (!a) return <p>Loading…</p>;
  const addr = a.serviceAgreements[0];
  return (
    <div class="grid">
      <section class="card" aria-label="Account">
        <h1>
          {a.customer.name} · {a.accountNumber}
        </h1>
        <p class="muted">
          {addr
            ? `${addr.addressLine1}, ${addr.city} ${addr.state} ${addr.postalCode}`
            : 'No service address'}{' '}
          · cycle {a.billingCycle} · {a.status} · {a.paperless ? 'paperless' : 'paper bills'} ·{' '}
          {a.serviceAgreements.map((s) => `${s.serviceType} (${s.rateSchedule})`).join(', ')}
        </p>
        <p>Balance {live ? <span class="live">● live</span> : null}</p>
        <p class="balance" data-testid="balance" aria-live="polite">
          <Money cents={a.balanceCents} />
        </p>
        {a.netMeteringCreditCents ? (
          <p data-testid="solar-credit">
            Net metering credit carried: <Money cents={a.netMeteringCreditCents} />
          </p>
        ) : null}
        {aging ? (
          <div class="kpis" data-testid="aging">
            {(
              [
                ['0–30 days', aging.buckets.current],
                ['31–60 days', aging.buckets.days31to60],
                ['61–90 days', aging.buckets.days61to90],
                ['Over 90 days', aging.buckets.over90],
              ] as const
            ).map(([label, cents]) => (
              <div class="kpi" key={label}>
                <span class="muted">{label}</span>
                <strong>
                  <Money cents={cents} />
                </strong>
              </div>
            ))}
          </div>
        ) : null}
      </section>
      <div class="grid two">
        <Card title="Bills">
          <table data-testid="bills">
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Due</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">PDF</th>
              </tr>
            </thead>
            <tbody>
              {a.bills.map((b) => (
                <tr key={b.id} data-period={b.period}>
                  <td>{b.period}</td>
                  <td>{formatDate(b.dueDate)}</td>
                  <td class="num">
                    <Money cents={b.totalCents} />
                  </td>
                  <td>
                    <a href={`/bills/${b.id}/document`} target="_blank" rel="noopener">
                      PDF<span class="visually-hidden"> for {b.period}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Payments">
          <table data-testid="payments">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Method</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {a.payments.slice(0, 24).map((p) => (
                <tr key={p.id}>
                  <td>{formatDate(String(p.receivedAt))}</td>
                  <td>{p.method}</td>
                  <td>{p.status}</td>
                  <td class="num">
                    <Money cents={p.amountCents} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <CounterPayment accountId={a.id} />
        </Card>
      </div>
      <Card title="Usage (24 months) and reads">
        {usage ? (
          usage.services.map((s) => <UsageChart key={s.serviceType} service={s} lang={lang} />)
        ) : (
          <p>Loading…</p>
        )}
        {reads ? (
          <details>
            <summary>Latest {reads.length} reads</summary>
            <table data-testid="reads">
              <thead>
                <tr>
                  <th scope="col">Read at</th>
                  <th scope="col">Meter</th>
                  <th scope="col" class="num">
                    Value
                  </th>
                  <th scope="col">Source</th>
                  <th scope="col">Quality</th>
                </tr>
              </thead>
              <tbody>
                {reads.map((r) => (
                  <tr key={r.id}>
                    <td>{formatDate(r.readAt)}</td>
                    <td>
                      {r.serialNumber} ({r.serviceType})
                    </td>
                    <td class="num">
                      {r.value} {r.unit}
                    </td>
                    <td>{r.source}</td>
                    <td>
                      {r.quality}
                      {r.superseded ? ' (superseded)' : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
      </Card>
      <Card title="Workflows (Temporal UI)">
        {flowErr ? <ErrorNote error={flowErr} /> : null}
        {flows ? (
          flows.length ? (
            <ul data-testid="workflows">
              {flows.map((w) => (
                <li key={w.workflowId}>
                  {w.url ? (
                    <a href={w.url} target="_blank" rel="noopener">
                      {w.workflowId}
                    </a>
                  ) : (
                    w.workflowId
                  )}{' '}
                  — {w.status}
                  {w.billStatus ? ` (${w.billStatus})` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p>No workflows for this account yet.</p>
          )
        ) : (
          <p>Loading…</p>
        )}
      </Card>
      <div class="grid two">
        <ActionsPanel
          a={a}
          me={me}
          onDone={() => {
            setVersion((v) => v + 1);
            void load();
          }}
        />
        <DunningPanel accountId={a.id} version={version} />
        <DisputesPanel a={a} version={version} />
        <ServiceOrdersPanel accountId={a.id} version={version} />
        <FieldOrdersPanel accountId={a.id} version={version} />
        <MessagesPanel accountId={a.id} />
        <LoginsPanel accountId={a.id} />
      </div>
    </div>
  );
}

function CounterPayment({ accountId }: { accountId: string }) {
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const cents = parseDollars(String(f.get('amount') ?? ''));
    setErr(null);
    if (!cents) return setErr(new Error('Enter an amount such as 25.00'));
    try {
      const r = await api<{ id: string; reviewFlag: string | null }>(
        `/accounts/${accountId}/payments/counter`,
        {
          method: 'POST',
          body: {
            amountCents: cents,
            method: f.get('method'),
            ...(f.get('reference') ? { reference: String(f.get('reference')) } : {}),
          },
          idempotencyKey: newKey(),
        },
      );
      setMsg(`Recorded ${r.id}${r.reviewFlag ? ` — flagged: ${r.reviewFlag}` : ''}`);
      (e.target as HTMLFormElement).reset();
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <details>
      <summary>Record a counter payment</summary>
      <form onSubmit={submit}>
        <label for="cp-amount">Amount</label>
        <input id="cp-amount" name="amount" inputMode="decimal" required />
        <label for="cp-method">Method</label>
        <select id="cp-method" name="method">
          <option value="check">Check</option>
          <option value="cash">Cash</option>
        </select>
        <label for="cp-ref">Check or receipt number</label>
        <input id="cp-ref" name="reference" />
        <button type="submit">Record payment</button>
        {msg ? (
          <p class="ok" role="status">
            {msg}
          </p>
        ) : null}
        <ErrorNote error={err} />
      </form>
    </details>
  );
}

interface Exception {
  id: string;
  accountId: string;
  accountNumber: string;
  customerName: string;
  period: string;
  status: ExceptionStatus;
  reasons: { code?: string; message?: string }[];
  workflowUrl: string | null;
  createdAt: string;
}

function Exceptions({ me }: { me: Me }) {
  const [rows, setRows] = useState<Exception[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState<Record<string, string>>({});
  const canResolve = BILLING_ROLES.includes(me.role ?? '');
  const load = useCallback(
    () => api<{ data: Exception[] }>('/exceptions?limit=100').then((r) => setRows(r.data), setErr),
    [],
  );
  useEffect(() => void load(), [load]);
  const [adjusting, setAdjusting] = useState<{ id: string; reads: Read[] } | null>(null);
  const openAdjust = async (x: Exception) => {
    setErr(null);
    try {
      const r = await api<{ data: Read[] }>(`/accounts/${x.accountId}/reads?limit=12`);
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
      setDone((d) => ({
        ...d,
        [x.id]:
          action === 'approve'
            ? 'Approved: the bill is issuing'
            : action === 'request_reread'
              ? 'Re-read requested'
              : action === 'cancel'
                ? 'Cancelled'
                : 'Read corrected: re-rating',
      }));
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
        <table data-testid="exceptions">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Period</th>
              <th scope="col">Status</th>
              <th scope="col">Why it is held</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((x) => (
              <tr key={x.id} data-exception={x.id} data-account={x.accountNumber}>
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
                  {done[x.id] ? (
                    <span class="ok" role="status">
                      {done[x.id]}
                    </span>
                  ) : canResolve ? (
                    <>
                      <button type="button" onClick={() => void resolve(x, 'approve')}>
                        Approve
                      </button>{' '}
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => void resolve(x, 'request_reread')}
                      >
                        Request re-read
                      </button>{' '}
                      <button type="button" class="secondary" onClick={() => void openAdjust(x)}>
                        Adjust read
                      </button>{' '}
                      <button type="button" class="danger" onClick={() => void resolve(x, 'cancel')}>
                        Cancel bill
                      </button>
                      {adjusting?.id === x.id ? (
                        <form
                          data-testid="adjust-read"
                          onSubmit={(e) => {
                            e.preventDefault();
                            const f = new FormData(e.currentTarget as HTMLFormElement);
                            setAdjusting(null);
                            void resolve(x, 'adjust_read', {
                              readId: String(f.get('readId')),
                              value: String(f.get('value')).trim(),
                            });
                          }}
                        >
                          <label for={`read-${x.id}`}>Read to correct</label>
                          <select id={`read-${x.id}`} name="readId">
                            {adjusting.reads.map((r) => (
                              <option key={r.id} value={r.id}>
                                {formatDate(r.readAt)} · {r.serialNumber} · {r.value} {r.unit} ({r.source})
                              </option>
                            ))}
                          </select>
                          <label for={`value-${x.id}`}>Corrected register value</label>
                          <input
                            id={`value-${x.id}`}
                            name="value"
                            inputMode="decimal"
                            pattern="\d{1,12}(\.\d{1,9})?"
                            required
                          />
                          <button type="submit">Correct and re-rate</button>
                        </form>
                      ) : null}
                    </>
                  ) : (
                    <span class="muted">billing staff only</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

interface BillRun {
  workflowId: string;
  url: string | null;
  running: boolean;
  progress: Partial<BillRunProgress> | null;
}

function lastMonth() {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

function BillRuns({ me }: { me: Me }) {
  const [cycle, setCycle] = useState('01');
  const [period, setPeriod] = useState(lastMonth());
  const [run, setRun] = useState<BillRun | null>(null);
  const [watching, setWatching] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const canStart = BILLING_ROLES.includes(me.role ?? '');
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
        if (!stop)
          setErr(
            e instanceof PortalApiError && e.status === 404
              ? new Error('No run for that cycle and period yet')
              : e,
          );
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
  const p = run?.progress;
  const total = p?.total ?? 0;
  const done = (p?.billed ?? 0) + (p?.alreadyBilled ?? 0) + (p?.held ?? 0) + (p?.failed ?? 0);
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
      {run ? (
        <section aria-live="polite" data-testid="bill-run">
          <h3>
            {run.url ? (
              <a href={run.url} target="_blank" rel="noopener">
                {run.workflowId}
              </a>
            ) : (
              run.workflowId
            )}{' '}
            — {run.running ? (p?.status ?? 'running') : 'finished'}
          </h3>
          <div
            class="bar"
            role="progressbar"
            aria-label="Accounts done"
            aria-valuemin={0}
            aria-valuemax={total}
            aria-valuenow={done}
          >
            <span style={{ width: `${total ? Math.round((done * 100) / total) : 0}%` }} />
          </div>
          <div class="kpis">
            {(
              [
                'total',
                'billed',
                'alreadyBilled',
                'held',
                'estimated',
                'failed',
                'emailed',
                'printed',
              ] as const
            ).map((k) => (
              <div class="kpi" key={k}>
                <span class="muted">{k}</span>
                <strong>{p?.[k] ?? 0}</strong>
              </div>
            ))}
          </div>
        </section>
      ) : null}
    </Card>
  );
}

interface Kpis {
  days: number;
  dso: { receivableCents: number; billedCents: number; days: string | null };
  paperless: { numerator: number; denominator: number; percent: string | null };
  exceptionRate: { numerator: number; denominator: number; percent: string | null };
  disputeRate: { numerator: number; denominator: number; percent: string | null };
}
interface ArAging {
  asOf: string;
  totalReceivableCents: number;
  creditBalancesCents: number;
  accountsOwing: number;
  buckets: Aging['buckets'];
}

function Reports() {
  const [k, setK] = useState<Kpis | null>(null);
  const [ar, setAr] = useState<ArAging | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<Kpis>('/reports/kpis').then(setK, setErr);
    api<ArAging>('/reports/ar-aging').then(setAr, setErr);
  }, []);
  return (
    <>
      <ErrorNote error={err} />
      <Card title={`Key figures (last ${k?.days ?? 90} days)`}>
        {k ? (
          <div class="kpis" data-testid="kpis">
            <div class="kpi">
              <span class="muted">DSO</span>
              <strong>{k.dso.days ?? '—'} days</strong>
            </div>
            <div class="kpi">
              <span class="muted">Paperless</span>
              <strong>{k.paperless.percent ?? '—'}%</strong>
            </div>
            <div class="kpi">
              <span class="muted">Exception rate</span>
              <strong>{k.exceptionRate.percent ?? '—'}%</strong>
            </div>
            <div class="kpi">
              <span class="muted">Dispute rate</span>
              <strong>{k.disputeRate.percent ?? '—'}%</strong>
            </div>
          </div>
        ) : (
          <p>Loading…</p>
        )}
      </Card>
      <Card title="Accounts receivable aging">
        {ar ? (
          <table data-testid="ar-aging">
            <tbody>
              <tr>
                <th scope="row">0–30 days</th>
                <td class="num">
                  <Money cents={ar.buckets.current} />
                </td>
              </tr>
              <tr>
                <th scope="row">31–60 days</th>
                <td class="num">
                  <Money cents={ar.buckets.days31to60} />
                </td>
              </tr>
              <tr>
                <th scope="row">61–90 days</th>
                <td class="num">
                  <Money cents={ar.buckets.days61to90} />
                </td>
              </tr>
              <tr>
                <th scope="row">Over 90 days</th>
                <td class="num">
                  <Money cents={ar.buckets.over90} />
                </td>
              </tr>
              <tr>
                <th scope="row">
                  Total receivable ({ar.accountsOwing} accounts, as of {formatDate(ar.asOf)})
                </th>
                <td class="num">
                  <Money cents={ar.totalReceivableCents} />
                </td>
              </tr>
              <tr>
                <th scope="row">Credit balances</th>
                <td class="num">
                  <Money cents={ar.creditBalancesCents} />
                </td>
              </tr>
            </tbody>
          </table>
        ) : (
          <p>Loading…</p>
        )}
      </Card>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the shell's loading note
render(<App />, root);
