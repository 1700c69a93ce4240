// The move wizard: stop service here, start it at a new address, or transfer (stop here and start there on
// the same day, on the same account). Choose what, the date (checked against the utility's today and the
// last billed day, GET /accounts/:id/move-dates, the rules the API applies), the new address (a premise
// from GET /premises?q=), confirm a summary, then follow the request's status.
import { useEffect, useState } from 'preact/hooks';
import type { ServiceRequestStatus } from '../../../workflows/contracts/service-request';
import { Card, ErrorNote } from '../components/ui';
import { api, newKey } from '../lib/api';
import { formatDate, type Key, t } from '../lib/i18n';

export type MoveKind = 'stop_service' | 'start_service' | 'transfer';
export const MOVE_KINDS: readonly MoveKind[] = ['stop_service', 'start_service', 'transfer'];

interface MoveDates {
  today: string;
  earliestStart: string;
  earliestStop: string;
  latest: string;
}
interface Premise {
  id: string;
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  state: string;
  postalCode: string;
}
interface Request {
  id: string;
  kind: string;
  status: ServiceRequestStatus;
  requiresApproval: boolean;
}

const premiseLine = (p: Premise) =>
  `${p.addressLine1}${p.addressLine2 ? ` ${p.addressLine2}` : ''}, ${p.city}, ${p.state} ${p.postalCode}`;

/** Why a date cannot be asked for, or null: the same bounds the API refuses outside of. */
export function dateProblem(kind: MoveKind, date: string, r: MoveDates): Key | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return 'moveDateMissing';
  if (date < r.today) return 'moveDatePast';
  if (kind !== 'start_service' && date < r.earliestStop) return 'moveDateBeforeBilled';
  if (date > r.latest) return 'moveDateTooFar';
  return null;
}

const TERMINAL: readonly ServiceRequestStatus[] = ['completed', 'rejected', 'failed', 'awaiting_approval'];

type Step = 'what' | 'when' | 'where' | 'confirm' | 'status';

export function MoveWizard({ accountId, serviceAddress }: { accountId: string; serviceAddress?: string }) {
  const [step, setStep] = useState<Step>('what');
  const [kind, setKind] = useState<MoveKind>('transfer');
  const [dates, setDates] = useState<MoveDates | null>(null);
  const [date, setDate] = useState('');
  const [dateErr, setDateErr] = useState<Key | null>(null);
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Premise[] | null>(null);
  const [premise, setPremise] = useState<Premise | null>(null);
  const [request, setRequest] = useState<Request | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<MoveDates>(`/accounts/${accountId}/move-dates`).then(setDates, setErr);
  }, [accountId]);

  // follow the request until it settles or waits for approval; stop on leaving
  useEffect(() => {
    if (!request || TERMINAL.includes(request.status)) return;
    let n = 0;
    const timer = setInterval(() => {
      if (++n > 30) return clearInterval(timer);
      api<Request>(`/service-requests/${request.id}`).then(
        (r) => {
          setRequest(r);
          if (TERMINAL.includes(r.status)) clearInterval(timer);
        },
        () => clearInterval(timer),
      );
    }, 1000);
    return () => clearInterval(timer);
  }, [request?.id, request?.status]);

  const needsPremise = kind !== 'stop_service';
  const dateLabel: Key =
    kind === 'stop_service' ? 'stopDate' : kind === 'start_service' ? 'startDate' : 'moveDate';

  const nextFromWhen = (e: Event) => {
    e.preventDefault();
    if (!dates) return;
    const p = dateProblem(kind, date, dates);
    setDateErr(p);
    if (!p) setStep(needsPremise ? 'where' : 'confirm');
  };
  const search = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    if (q.trim().length < 3) return setHits([]);
    try {
      const r = await api<{ data: Premise[] }>(`/premises?q=${encodeURIComponent(q.trim())}`);
      setHits(r.data);
    } catch (e2) {
      setErr(e2);
    }
  };
  const submit = async () => {
    setBusy(true);
    setErr(null);
    try {
      const r =
        kind === 'start_service'
          ? await api<Request>('/service-requests/start-service', {
              method: 'POST',
              body: { details: { premise_id: premise!.id, start_date: date } },
              idempotencyKey: newKey(),
            })
          : await api<Request>(`/accounts/${accountId}/service-requests`, {
              method: 'POST',
              body:
                kind === 'stop_service'
                  ? { kind, details: { stop_date: date } }
                  : { kind, details: { move_date: date, to_premise_id: premise!.id } },
              idempotencyKey: newKey(),
            });
      setRequest(r);
      setStep('status');
    } catch (e2) {
      setErr(e2);
    } finally {
      setBusy(false);
    }
  };
  const restart = () => {
    setStep('what');
    setDate('');
    setPremise(null);
    setHits(null);
    setQ('');
    setRequest(null);
    setErr(null);
  };
  const back = (to: Step) => (
    <button type="button" class="secondary" onClick={() => setStep(to)}>
      {t('back')}
    </button>
  );

  return (
    <Card title={t('moveTitle')} id="move-wizard">
      <p class="muted" data-testid="move-step">
        {t(`moveStep_${step}` as Key)}
      </p>
      {step === 'what' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setStep('when');
          }}
        >
          <fieldset>
            <legend>{t('moveWhat')}</legend>
            {MOVE_KINDS.map((k) => (
              <label key={k} class="choice">
                <input
                  type="radio"
                  name="move-kind"
                  value={k}
                  checked={kind === k}
                  onChange={() => setKind(k)}
                />{' '}
                <strong>{t(`move_${k}` as Key)}</strong>
                <span class="muted"> — {t(`move_${k}_help` as Key)}</span>
              </label>
            ))}
          </fieldset>
          <button type="submit">{t('next')}</button>
        </form>
      ) : null}
      {step === 'when' ? (
        <form onSubmit={nextFromWhen} noValidate>
          <label for="move-date">{t(dateLabel)}</label>
          <input
            id="move-date"
            type="date"
            value={date}
            min={dates ? (kind === 'start_service' ? dates.earliestStart : dates.earliestStop) : undefined}
            max={dates?.latest}
            aria-invalid={dateErr ? 'true' : undefined}
            aria-describedby={dateErr ? 'move-date-err' : 'move-date-help'}
            onInput={(e) => setDate((e.target as HTMLInputElement).value)}
          />
          {dates ? (
            <p id="move-date-help" class="muted">
              {t('moveDateRange', {
                from: formatDate(kind === 'start_service' ? dates.earliestStart : dates.earliestStop),
                to: formatDate(dates.latest),
              })}
            </p>
          ) : null}
          {dateErr && dates ? (
            <p id="move-date-err" class="error" role="alert">
              {t(dateErr, {
                today: formatDate(dates.today),
                from: formatDate(dates.earliestStop),
                to: formatDate(dates.latest),
              })}
            </p>
          ) : null}
          {back('what')}{' '}
          <button type="submit" disabled={!dates}>
            {t('next')}
          </button>
        </form>
      ) : null}
      {step === 'where' ? (
        <>
          <form onSubmit={(e) => void search(e)}>
            <label for="move-q">{t('moveSearch')}</label>
            <input
              id="move-q"
              value={q}
              minLength={3}
              autoComplete="street-address"
              onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            />
            <button type="submit">{t('search')}</button>
          </form>
          {hits === null ? null : hits.length === 0 ? (
            <p data-testid="move-no-hits">{t('moveNoHits')}</p>
          ) : (
            <fieldset data-testid="move-hits">
              <legend>{t('movePick')}</legend>
              {hits.map((p) => (
                <label key={p.id} class="choice">
                  <input
                    type="radio"
                    name="move-premise"
                    value={p.id}
                    checked={premise?.id === p.id}
                    onChange={() => setPremise(p)}
                  />{' '}
                  {premiseLine(p)}
                </label>
              ))}
            </fieldset>
          )}
          {back('when')}{' '}
          <button type="button" disabled={!premise} onClick={() => setStep('confirm')}>
            {t('next')}
          </button>
        </>
      ) : null}
      {step === 'confirm' ? (
        <>
          <dl class="summary" data-testid="move-summary">
            <dt>{t('moveWhat')}</dt>
            <dd>{t(`move_${kind}` as Key)}</dd>
            {kind !== 'start_service' && serviceAddress ? (
              <>
                <dt>{t('moveFrom')}</dt>
                <dd>{serviceAddress}</dd>
              </>
            ) : null}
            {premise ? (
              <>
                <dt>{t('moveTo')}</dt>
                <dd>{premiseLine(premise)}</dd>
              </>
            ) : null}
            <dt>{t(dateLabel)}</dt>
            <dd>{formatDate(date)}</dd>
          </dl>
          <p>{t(`move_${kind}_help` as Key)}</p>
          {kind !== 'stop_service' ? <p class="muted">{t('moveApprovalNote')}</p> : null}
          {back(needsPremise ? 'where' : 'when')}{' '}
          <button type="button" onClick={() => void submit()} disabled={busy}>
            {t('moveSubmit')}
          </button>
        </>
      ) : null}
      {step === 'status' && request ? (
        <div data-testid="move-status" data-status={request.status}>
          <p role="status">{t(`moveStatus_${request.status}` as Key)}</p>
          <button type="button" class="secondary" onClick={restart}>
            {t('moveAnother')}
          </button>
        </div>
      ) : null}
      <ErrorNote error={err} />
    </Card>
  );
}
