// The account 360's case panels and actions: messages sent, disputes, service orders, dunning state, and the
// role-checked actions (dispute, re-read, adjustment, payment arrangement). The API decides; the buttons a role
// may not use are not offered, and a refusal is shown as the API words it.
import { useEffect, useState } from 'preact/hooks';
import type { ArrangementStatus } from '../../../workflows/contracts/arrangement';
import type { DisputeResolutionKind, DisputeStatus } from '../../../workflows/contracts/dispute';
import type { ServiceRequestStatus } from '../../../workflows/contracts/service-request';
import { type AccountSummary, api, type Me, newKey } from '../lib/api';
import { formatDate, plainWord } from '../lib/i18n';
import { parseDollars } from '../lib/money';
import { alertName } from '../wallet/alert-names';
import { Card, ErrorNote, Money, OkNote, Table } from './ui';

const BILLING = ['billing_admin', 'supervisor', 'admin'];

function useList<T>(url: string, version: number) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<{ data: T[] }>(url).then((r) => setRows(r.data), setErr);
  }, [url, version]);
  return { rows, err };
}

interface LinkedLogin {
  id: string;
  email: string;
  displayName: string;
  linkedAt: string;
  emailVerified: boolean;
}
/** The portal logins that reach the account; staff remove one a customer does not recognise (audited). */
export function LoginsPanel({ accountId }: { accountId: string }) {
  const [version, setVersion] = useState(0);
  const { rows, err } = useList<LinkedLogin>(`/accounts/${accountId}/logins`, version);
  const [actionErr, setActionErr] = useState<unknown>(null);
  const remove = async (id: string) => {
    setActionErr(null);
    try {
      await api(`/accounts/${accountId}/logins/${id}`, { method: 'DELETE' });
      setVersion((v) => v + 1);
    } catch (e) {
      setActionErr(e);
    }
  };
  return (
    <Card title="Portal logins">
      <ErrorNote error={err ?? actionErr} />
      {rows?.length === 0 ? <p>No portal logins.</p> : null}
      {rows?.length ? (
        <Table testid="linked-logins" head={['Login', 'Email confirmed', 'Linked', '']}>
          {rows.map((l) => (
            <tr key={l.id}>
              <td>
                {l.displayName} ({l.email})
              </td>
              <td>{l.emailVerified ? 'yes' : 'no'}</td>
              <td>{formatDate(String(l.linkedAt).slice(0, 10))}</td>
              <td>
                <button type="button" class="link" onClick={() => void remove(l.id)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Card>
  );
}

interface Message {
  id: string;
  alert: string;
  channel: string;
  to: string;
  status: string;
  provider: string;
  createdAt: string;
}
export function MessagesPanel({ accountId }: { accountId: string }) {
  const { rows, err } = useList<Message>(`/accounts/${accountId}/messages?limit=20`, 0);
  return (
    <Card title="Messages sent">
      <ErrorNote error={err} />
      {rows?.length === 0 ? <p>No messages yet.</p> : null}
      {rows?.length ? (
        <Table testid="messages" head={['When', 'About', 'Channel', 'To', 'Status']}>
          {rows.map((m) => (
            <tr key={m.id}>
              <td>{formatDate(String(m.createdAt))}</td>
              <td>{alertName(m.alert)}</td>
              <td>{m.channel}</td>
              <td>{m.to}</td>
              <td>
                {m.status}
                {m.provider === 'outbox' ? ' (dev outbox)' : ''}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Card>
  );
}

interface Dispute {
  id: string;
  billId: string;
  reason: string;
  disputedCents: number;
  status: DisputeStatus;
  resolution: DisputeResolutionKind | null;
  slaDueAt: string;
}
export function DisputesPanel({ a, version }: { a: AccountSummary; version: number }) {
  const { rows, err } = useList<Dispute>(`/accounts/${a.id}/disputes`, version);
  const period = (id: string) => a.bills.find((b) => b.id === id)?.period ?? id;
  return (
    <Card title="Disputes">
      <ErrorNote error={err} />
      {rows?.length === 0 ? <p>No disputes.</p> : null}
      {rows?.length ? (
        <Table testid="disputes" head={['Bill', 'Reason', 'Amount', 'Status', 'SLA due']}>
          {rows.map((d) => (
            <tr key={d.id} data-status={d.status}>
              <td>{period(d.billId)}</td>
              <td>{d.reason}</td>
              <td class="num">
                <Money cents={Number(d.disputedCents)} />
              </td>
              <td>
                {d.status}
                {d.resolution ? ` (${d.resolution})` : ''}
              </td>
              <td>{formatDate(String(d.slaDueAt))}</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Card>
  );
}

interface ServiceRequest {
  id: string;
  kind: string;
  status: ServiceRequestStatus;
  createdAt: string;
  requestedBy: string;
}
export function ServiceOrdersPanel({ accountId, version }: { accountId: string; version: number }) {
  const { rows, err } = useList<ServiceRequest>(`/accounts/${accountId}/service-requests`, version);
  return (
    <Card title="Service requests and orders">
      <ErrorNote error={err} />
      {rows?.length === 0 ? <p>No service requests.</p> : null}
      {rows?.length ? (
        <Table testid="service-requests" head={['Requested', 'Kind', 'Status', 'By']}>
          {rows.map((r) => (
            <tr key={r.id} data-kind={r.kind}>
              <td>{formatDate(String(r.createdAt))}</td>
              <td>{plainWord(r.kind)}</td>
              <td>{plainWord(r.status)}</td>
              <td>{r.requestedBy.startsWith('customer:') ? 'customer (portal)' : 'staff'}</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Card>
  );
}

interface ServiceOrder {
  id: string;
  kind: string;
  status: string;
  reason: string;
  sourceType: string | null;
  createdAt: string;
}
export function FieldOrdersPanel({ accountId, version }: { accountId: string; version: number }) {
  const { rows, err } = useList<ServiceOrder>(`/accounts/${accountId}/service-orders`, version);
  return (
    <Card title="Service orders (field work)">
      <ErrorNote error={err} />
      {rows?.length === 0 ? <p>No service orders.</p> : null}
      {rows?.length ? (
        <Table testid="service-orders" head={['Created', 'Kind', 'Status', 'Why', 'From']}>
          {rows.map((o) => (
            <tr key={o.id} data-kind={o.kind}>
              <td>{formatDate(o.createdAt)}</td>
              <td>{plainWord(o.kind)}</td>
              <td>{plainWord(o.status)}</td>
              <td>{o.reason}</td>
              <td>{o.sourceType ? plainWord(o.sourceType) : '—'}</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </Card>
  );
}

export interface Collections {
  serviceState: string;
  stage: string;
  nextReview: string | null;
  blockedBy: string[];
  case: { url: string | null; workflowId: string } | null;
  holds: { id: string; kind: string; until?: string; status?: string }[];
  arrangement: { status: ArrangementStatus; totalCents: number; installments: number } | null;
}
export function DunningPanel({ accountId, version }: { accountId: string; version: number }) {
  const [c, setC] = useState<Collections | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<Collections>(`/accounts/${accountId}/collections`).then(setC, setErr);
  }, [accountId, version]);
  return (
    <Card title="Dunning state">
      <ErrorNote error={err} />
      {c ? (
        <dl data-testid="dunning">
          <dt>Stage</dt>
          <dd>{plainWord(c.stage)}</dd>
          <dt>Service</dt>
          <dd>{plainWord(c.serviceState)}</dd>
          {c.nextReview ? (
            <>
              <dt>Next step</dt>
              <dd>{formatDate(c.nextReview)}</dd>
            </>
          ) : null}
          {c.blockedBy.length ? (
            <>
              <dt>Held back by</dt>
              <dd>{c.blockedBy.join(', ')}</dd>
            </>
          ) : null}
          <dt>Holds</dt>
          <dd>{c.holds.length ? c.holds.map((h) => h.kind).join(', ') : 'none'}</dd>
          <dt>Arrangement</dt>
          <dd>
            {c.arrangement ? (
              <>
                {c.arrangement.status}, {c.arrangement.installments} instalments of{' '}
                <Money cents={Number(c.arrangement.totalCents)} /> in all
              </>
            ) : (
              'none'
            )}
          </dd>
          {c.case?.url ? (
            <>
              <dt>Workflow</dt>
              <dd>
                <a href={c.case.url} target="_blank" rel="noopener">
                  {c.case.workflowId}
                </a>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </Card>
  );
}

export type Action = 'dispute' | 'reread' | 'adjustment' | 'arrangement';

export function ActionsPanel({
  a,
  me,
  onDone,
  initial = 'dispute',
}: {
  a: AccountSummary;
  me: Me;
  onDone: () => void;
  initial?: Action;
}) {
  const billing = BILLING.includes(me.role ?? '');
  const [action, setAction] = useState<Action>(initial);
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const offered: [Action, string][] = [
    ['dispute', 'Start a dispute'],
    ['reread', 'Request a re-read'],
    ...(billing ? ([['adjustment', 'Post an adjustment']] as [Action, string][]) : []),
    ['arrangement', 'Set up a payment arrangement'],
  ];
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    setMsg(null);
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const v = (k: string) => String(f.get(k) ?? '').trim();
    try {
      if (action === 'dispute') {
        await api(`/bills/${v('bill')}/disputes`, {
          method: 'POST',
          body: { reason: v('reason'), reread: f.get('reread') === 'on' },
          idempotencyKey: newKey(),
        });
        setMsg('Dispute opened');
      } else if (action === 'reread') {
        await api(`/accounts/${a.id}/service-requests`, {
          method: 'POST',
          body: { kind: 'reread', details: {} },
          idempotencyKey: newKey(),
        });
        setMsg('Re-read requested');
      } else if (action === 'adjustment') {
        const cents = parseDollars(v('amount'));
        if (!cents) throw new Error('Enter an amount such as 25.00');
        await api(`/accounts/${a.id}/adjustments`, {
          method: 'POST',
          body: { kind: v('kind'), amount_cents: cents, reason: v('reason') },
          idempotencyKey: newKey(),
        });
        setMsg('Adjustment posted');
      } else {
        await api(`/accounts/${a.id}/arrangements`, {
          method: 'POST',
          body: { installments: Number(v('installments')) },
          idempotencyKey: newKey(),
        });
        setMsg('Payment arrangement set up');
      }
      (e.target as HTMLFormElement).reset();
      onDone();
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <Card title="Actions">
      {!billing ? <p class="muted">Adjustments are for billing staff; your role is {me.role}.</p> : null}
      <label for="act">Action</label>
      <select
        id="act"
        value={action}
        onChange={(e) => setAction((e.target as HTMLSelectElement).value as Action)}
      >
        {offered.map(([k, label]) => (
          <option key={k} value={k}>
            {label}
          </option>
        ))}
      </select>
      <form onSubmit={submit} data-testid={`action-${action}`}>
        {action === 'dispute' ? (
          <>
            <label for="act-bill">Bill</label>
            <select id="act-bill" name="bill">
              {a.bills.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.period}
                </option>
              ))}
            </select>
            <label class="inline">
              <input type="checkbox" name="reread" /> Re-read the meter too
            </label>
          </>
        ) : null}
        {action === 'adjustment' ? (
          <>
            <label for="act-kind">Kind</label>
            <select id="act-kind" name="kind">
              <option value="credit">Credit</option>
              <option value="debit">Debit</option>
              <option value="write_off">Write-off</option>
            </select>
            <label for="act-amount">Amount</label>
            <input id="act-amount" name="amount" inputMode="decimal" required />
          </>
        ) : null}
        {action === 'arrangement' ? (
          <>
            <label for="act-n">Instalments</label>
            <input id="act-n" name="installments" type="number" min={1} max={24} value={3} required />
          </>
        ) : null}
        {action === 'dispute' || action === 'adjustment' ? (
          <>
            <label for="act-reason">Reason</label>
            <textarea id="act-reason" name="reason" required minLength={3} />
          </>
        ) : null}
        <button type="submit">Submit</button>
      </form>
      <OkNote message={msg} />
      <ErrorNote error={err} />
    </Card>
  );
}
