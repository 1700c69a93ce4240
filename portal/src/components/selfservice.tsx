// Self-service panels of the portal: paperless with confirmation, alert subscriptions (type x channel),
// service requests with their status, disputing a bill, Green Button "Download My Data", and the logins that
// can see the account.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { DisputeResolutionKind, DisputeStatus } from '../../../workflows/contracts/dispute';
import type { ServiceRequestStatus } from '../../../workflows/contracts/service-request';
import { type AccountSummary, api, newKey, type Usage } from '../lib/api';
import { formatDate, formatMonth, type Key, t, word } from '../lib/i18n';
import { alertName } from '../wallet/alert-names';
import { Card, EmptyState, ErrorNote, OkNote, Skeleton, Table } from './ui';

export function PaperlessPanel({ a, onChanged }: { a: AccountSummary; onChanged: () => void }) {
  const [asking, setAsking] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const turnTo = !a.paperless;
  const go = async () => {
    setBusy(true);
    setErr(null);
    try {
      await api(`/accounts/${a.id}/paperless`, { method: 'PUT', body: { enabled: turnTo } });
      setAsking(false);
      onChanged();
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('paperless')} id="paperless">
      <p data-testid="paperless-status">{a.paperless ? t('paperlessOn') : t('paperlessOff')}</p>
      {asking ? (
        <div role="alertdialog" aria-labelledby="paperless-q" class="confirm">
          <p id="paperless-q">{turnTo ? t('paperlessConfirmOn') : t('paperlessConfirmOff')}</p>
          <button type="button" onClick={() => void go()} disabled={busy}>
            {t('confirm')}
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setAsking(false)}>
            {t('cancel')}
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setAsking(true)}>
          {turnTo ? t('paperlessTurnOn') : t('paperlessTurnOff')}
        </button>
      )}
      <ErrorNote error={err} />
    </Card>
  );
}

type Channels = 'email' | 'sms' | 'both' | 'none';
interface Subscriptions {
  alerts: { alert: string; channels: Channels; source: string }[];
}
const has = (c: Channels, ch: 'email' | 'sms') => c === 'both' || c === ch;
const combine = (email: boolean, sms: boolean): Channels =>
  email && sms ? 'both' : email ? 'email' : sms ? 'sms' : 'none';

export function AlertsPanel({ accountId }: { accountId: string }) {
  const [subs, setSubs] = useState<Subscriptions['alerts'] | null>(null);
  const [saved, setSaved] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<Subscriptions>(`/accounts/${accountId}/subscriptions`).then((s) => setSubs(s.alerts), setErr);
  }, [accountId]);
  const toggle = (alert: string, ch: 'email' | 'sms', on: boolean) => {
    setSaved(false);
    setSubs((xs) =>
      (xs ?? []).map((x) =>
        x.alert === alert
          ? {
              ...x,
              channels: combine(
                ch === 'email' ? on : has(x.channels, 'email'),
                ch === 'sms' ? on : has(x.channels, 'sms'),
              ),
            }
          : x,
      ),
    );
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    try {
      const r = await api<Subscriptions>(`/accounts/${accountId}/subscriptions`, {
        method: 'PUT',
        body: { alerts: Object.fromEntries((subs ?? []).map((s) => [s.alert, s.channels])) },
      });
      setSubs(r.alerts);
      setSaved(true);
    } catch (e2) {
      setErr(e2);
    }
  };
  const label = alertName;
  return (
    <Card title={t('alerts')} id="alerts">
      {subs ? (
        <form onSubmit={save}>
          <Table testid="alerts" head={[t('alertType'), t('channelEmail'), t('channelSms')]}>
            {subs.map((s) => (
              <tr key={s.alert} data-alert={s.alert}>
                <th scope="row">{label(s.alert)}</th>
                {(['email', 'sms'] as const).map((ch) => (
                  <td key={ch}>
                    <input
                      type="checkbox"
                      aria-label={`${label(s.alert)}: ${ch === 'email' ? t('channelEmail') : t('channelSms')}`}
                      checked={has(s.channels, ch)}
                      onChange={(e) => toggle(s.alert, ch, (e.target as HTMLInputElement).checked)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </Table>
          <button type="submit">{t('save')}</button>
          <OkNote message={saved ? t('saved') : null} />
        </form>
      ) : err ? null : (
        <Skeleton lines={4} />
      )}
      <ErrorNote error={err} />
    </Card>
  );
}

const kindLabel = (k: string) => {
  const w = word(`kind_${k}`);
  return w === `kind_${k}` ? k.replace(/_/g, ' ') : w;
};

interface ServiceRequest {
  id: string;
  kind: string;
  status: ServiceRequestStatus;
  createdAt: string;
}
// Stopping, starting and moving service are the move wizard's (one place to end service, with its dates and
// final-bill wording); this form keeps the requests that leave the service running.
const KINDS = ['reread', 'seasonal_suspend', 'seasonal_resume', 'mailing_address'] as const;

export function ServiceRequestsPanel({ accountId }: { accountId: string }) {
  const [rows, setRows] = useState<ServiceRequest[] | null>(null);
  const [kind, setKind] = useState<(typeof KINDS)[number]>('reread');
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    () =>
      api<{ data: ServiceRequest[] }>(`/accounts/${accountId}/service-requests`).then(
        (r) => setRows(r.data),
        setErr,
      ),
    [accountId],
  );
  useEffect(() => void load(), [load]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const details: Record<string, string> = {};
    for (const k of ['line1', 'city', 'state', 'postal_code']) {
      const v = String(f.get(k) ?? '').trim();
      if (v) details[k] = v;
    }
    setBusy(true);
    setErr(null);
    try {
      await api(`/accounts/${accountId}/service-requests`, {
        method: 'POST',
        body: { kind, details },
        idempotencyKey: newKey(),
      });
      await load();
    } catch (e2) {
      setErr(e2);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('serviceRequests')} id="service-requests">
      <form onSubmit={submit}>
        <label for="sr-kind">{t('requestKind')}</label>
        <select
          id="sr-kind"
          value={kind}
          onChange={(e) => setKind((e.target as HTMLSelectElement).value as typeof kind)}
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind_${k}` as Key)}
            </option>
          ))}
        </select>
        <p class="muted" data-testid="sr-kind-help">
          {t(`kindHelp_${kind}` as Key)}
        </p>
        <p class="muted" data-testid="sr-stop-pointer">
          <a href="#move-wizard">{t('srStopPointer')}</a>
        </p>
        {kind === 'mailing_address' ? (
          <>
            <label for="sr-line1">{t('line1')}</label>
            <input id="sr-line1" name="line1" required autoComplete="address-line1" />
            <label for="sr-city">{t('city')}</label>
            <input id="sr-city" name="city" required autoComplete="address-level2" />
            <label for="sr-state">{t('state')}</label>
            <input id="sr-state" name="state" required maxLength={2} autoComplete="address-level1" />
            <label for="sr-postal">{t('postal')}</label>
            <input id="sr-postal" name="postal_code" required autoComplete="postal-code" />
          </>
        ) : null}
        <button type="submit" disabled={busy}>
          {t('submit')}
        </button>
      </form>
      <ErrorNote error={err} />
      {rows === null ? null : rows.length === 0 ? (
        <EmptyState title={t('noRequests')} next={t('noRequestsNext')} testid="no-requests" />
      ) : (
        <Table testid="service-requests" head={[t('requested'), t('requestKind'), t('status')]}>
          {rows.map((r) => (
            <tr key={r.id} data-kind={r.kind} data-status={r.status}>
              <td>{formatDate(String(r.createdAt))}</td>
              <td>{kindLabel(r.kind)}</td>
              <td>{word(r.status).replace(/_/g, ' ')}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

interface Dispute {
  id: string;
  billId: string;
  reason: string;
  status: DisputeStatus;
  resolution: DisputeResolutionKind | null;
  createdAt: string;
}

export function DisputesPanel({ a }: { a: AccountSummary }) {
  const [rows, setRows] = useState<Dispute[] | null>(null);
  const [billId, setBillId] = useState(a.bills[0]?.id ?? '');
  const [reason, setReason] = useState('');
  const [reread, setReread] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const load = useCallback(
    () => api<{ data: Dispute[] }>(`/accounts/${a.id}/disputes`).then((r) => setRows(r.data), setErr),
    [a.id],
  );
  useEffect(() => void load(), [load]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    try {
      await api(`/bills/${billId}/disputes`, {
        method: 'POST',
        body: { reason, reread },
        idempotencyKey: newKey(),
      });
      setNote(t('disputeOpened'));
      setReason('');
      await load();
    } catch (e2) {
      setErr(e2);
    }
  };
  const period = (id: string) => a.bills.find((b) => b.id === id)?.period;
  return (
    <Card title={t('disputes')} id="disputes">
      {a.bills.length ? (
        <form onSubmit={submit}>
          <label for="d-bill">{t('disputeBill')}</label>
          <select
            id="d-bill"
            value={billId}
            onChange={(e) => setBillId((e.target as HTMLSelectElement).value)}
          >
            {a.bills.map((b) => (
              <option key={b.id} value={b.id}>
                {formatMonth(b.period)}
              </option>
            ))}
          </select>
          <label for="d-reason">{t('disputeReason')}</label>
          <textarea
            id="d-reason"
            value={reason}
            minLength={3}
            maxLength={2000}
            required
            onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
          />
          <label class="inline">
            <input
              type="checkbox"
              checked={reread}
              onChange={(e) => setReread((e.target as HTMLInputElement).checked)}
            />{' '}
            {t('disputeReread')}
          </label>
          <button type="submit">{t('submit')}</button>
        </form>
      ) : (
        <EmptyState title={t('noBills')} next={t('noBillsNext')} />
      )}
      <OkNote message={note} />
      <ErrorNote error={err} />
      {rows === null ? null : rows.length === 0 ? (
        <EmptyState title={t('noDisputes')} next={t('noDisputesNext')} testid="no-disputes" />
      ) : (
        <Table testid="disputes" head={[t('period'), t('reason'), t('status')]}>
          {rows.map((d) => (
            <tr key={d.id} data-status={d.status}>
              <td>{period(d.billId) ? formatMonth(period(d.billId)!) : d.billId}</td>
              <td>{d.reason}</td>
              <td>
                {d.status}
                {d.resolution ? ` (${d.resolution})` : ''}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

export function GreenButtonPanel({ accountId }: { accountId: string }) {
  const [u, setU] = useState<Usage | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<Usage>(`/accounts/${accountId}/usage?months=12`).then(setU, setErr);
  }, [accountId]);
  return (
    <Card title={t('downloadData')} id="green-button">
      <p>{t('greenButtonHelp')}</p>
      <ErrorNote error={err} />
      <ul>
        {u?.services.flatMap((s) =>
          s.servicePointIds.map((sp) => (
            <li key={sp}>
              <a
                href={`/service-points/${sp}/green-button`}
                download
                data-testid={`green-button-${s.serviceType}`}
              >
                {t('download')}: {word(s.serviceType)} ({s.meters.join(', ')})
              </a>
            </li>
          )),
        )}
      </ul>
    </Card>
  );
}

interface LinkedLogin {
  id: string;
  email: string;
  displayName: string;
  linkedAt: string;
  you: boolean;
}

/** Who can see this account online; a login the holder does not know can be removed at once. */
export function LoginsPanel({ accountId }: { accountId: string }) {
  const [rows, setRows] = useState<LinkedLogin[] | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const load = useCallback(
    () => api<{ data: LinkedLogin[] }>(`/accounts/${accountId}/logins`).then((r) => setRows(r.data), setErr),
    [accountId],
  );
  useEffect(() => void load(), [load]);
  const remove = async (l: LinkedLogin) => {
    setErr(null);
    try {
      await api(`/accounts/${accountId}/logins/${l.id}`, { method: 'DELETE' });
      if (l.you) location.reload();
      else await load();
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Card title={t('loginsTitle')} id="logins">
      <p>{t('loginsHelp')}</p>
      <ErrorNote error={err} />
      <ul data-testid="linked-logins">
        {rows?.map((l) => (
          <li key={l.id}>
            {l.displayName} ({l.email}){l.you ? ` · ${t('thisIsYou')}` : ''}, {t('linkedOn')}{' '}
            {formatDate(String(l.linkedAt).slice(0, 10))}{' '}
            <button type="button" class="link" onClick={() => void remove(l)}>
              {t('removeLogin')}
            </button>
          </li>
        ))}
      </ul>
    </Card>
  );
}
