// The 360's activity timeline (GET /accounts/:id/timeline): bills, payments, reads, notices, disputes, service
// requests and orders and workflow steps, newest first, filtered by kind and paged ("Show more"). A bill's
// entry opens its explanation in place; a payment's shows its confirmation number.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { TimelineEntry, TimelineKind } from '../../../api/routes/timeline.schema';
import { BillExplanationView, ExplainBillButton } from '../components/BillExplanation';
import { ErrorNote, Money } from '../components/ui';
import { api, type ListOf } from '../lib/api';
import { formatDate, formatMonth, type Key, plainWord, t } from '../lib/i18n';
import { paymentStatusWord } from '../lib/payment-words';

type Entry = Static<typeof TimelineEntry>;
type Kind = Static<typeof TimelineKind>;

export const KINDS: [Kind, Key][] = [
  ['bill', 'tlKindBill'],
  ['payment', 'tlKindPayment'],
  ['read', 'tlKindRead'],
  ['message', 'tlKindMessage'],
  ['dispute', 'tlKindDispute'],
  ['service_request', 'tlKindRequest'],
  ['service_order', 'tlKindOrder'],
  ['workflow', 'tlKindWorkflow'],
];
const KIND_WORD = Object.fromEntries(KINDS) as Record<Kind, Key>;
const PAGE = 20;

const human = (s: string | null) => (s ? plainWord(s) : '');

/** The entry's title in the staff member's language. */
function title(e: Entry): string {
  switch (e.kind) {
    case 'bill':
      return t('tlBillTitle', { period: e.subject ? formatMonth(e.subject) : '' });
    case 'payment':
      return t('tlPaymentTitle', { method: human(e.subject) });
    case 'read':
      return t('tlReadTitle', { value: e.detail ?? '', source: human(e.subject) });
    case 'message':
      return t('tlMessageTitle', { alert: human(e.subject) });
    case 'dispute':
      return t('tlDisputeTitle', { reason: e.detail ?? '' });
    case 'service_request':
      return t('tlRequestTitle', { kind: human(e.subject) });
    case 'service_order':
      return t('tlOrderTitle', { kind: human(e.subject), reason: e.detail ?? '' });
    case 'workflow':
      return t('tlStepTitle', { subject: human(e.subjectType), event: human(e.subject) });
  }
}

function statusWord(e: Entry): string {
  if (!e.status) return '';
  if (e.kind === 'payment') return paymentStatusWord(e.status);
  return human(e.status);
}

export function Timeline({ accountId, version }: { accountId: string; version: unknown }) {
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [rows, setRows] = useState<Entry[] | null>(null);
  const [more, setMore] = useState(false);
  const [err, setErr] = useState<unknown>(null);
  const [explaining, setExplaining] = useState<string | null>(null);
  const url = (after?: string) =>
    `/accounts/${accountId}/timeline?limit=${PAGE}${kinds.length ? `&kinds=${kinds.join(',')}` : ''}${
      after ? `&starting_after=${encodeURIComponent(after)}` : ''
    }`;
  useEffect(() => {
    let stale = false;
    setErr(null);
    api<ListOf<typeof TimelineEntry>>(url()).then(
      (r) => {
        if (stale) return;
        setRows(r.data);
        setMore(r.has_more);
      },
      (e) => !stale && setErr(e),
    );
    return () => {
      stale = true;
    };
  }, [accountId, kinds.join(','), version]);
  const loadMore = async () => {
    try {
      const r = await api<ListOf<typeof TimelineEntry>>(url(rows?.at(-1)?.id));
      setRows((prev) => [...(prev ?? []), ...r.data]);
      setMore(r.has_more);
    } catch (e) {
      setErr(e);
    }
  };
  const toggle = (k: Kind, on: boolean) =>
    setKinds((prev) => (on ? [...prev, k] : prev.filter((x) => x !== k)));
  return (
    <section class="card" aria-labelledby="timeline-h" data-testid="timeline">
      <h2 id="timeline-h">{t('tlTitle')}</h2>
      <fieldset class="chips">
        <legend>{t('tlShow')}</legend>
        {KINDS.map(([k, label]) => (
          <label key={k} class="chip">
            <input
              type="checkbox"
              name="kind"
              value={k}
              checked={kinds.includes(k)}
              onChange={(e) => toggle(k, (e.target as HTMLInputElement).checked)}
            />{' '}
            {t(label)}
          </label>
        ))}
        {kinds.length ? (
          <button type="button" class="link" onClick={() => setKinds([])}>
            {t('tlAll')}
          </button>
        ) : null}
      </fieldset>
      <ErrorNote error={err} />
      {explaining ? (
        <BillExplanationView
          key={explaining}
          billId={explaining}
          level={2}
          onClose={() => setExplaining(null)}
        />
      ) : null}
      {rows === null ? <p>{t('loading')}</p> : null}
      {rows?.length === 0 ? <p>{t('tlNone')}</p> : null}
      {rows?.length ? (
        <ol class="timeline" data-testid="timeline-entries">
          {rows.map((e) => (
            <li key={e.id} data-kind={e.kind} data-entry={e.id}>
              <span class="tl-when">{formatDate(e.at)}</span>
              <span class={`tl-kind tl-${e.kind}`}>{t(KIND_WORD[e.kind])}</span>
              <span class="tl-title">{title(e)}</span>
              {e.amountCents !== null ? (
                <span class="num tl-amount">
                  <Money cents={e.amountCents} />
                </span>
              ) : null}
              {e.status ? <span class="tl-status">{statusWord(e)}</span> : null}
              {e.dueOn ? <span class="tl-due">{t('tlSla', { date: formatDate(e.dueOn) })}</span> : null}
              {e.reference && e.kind === 'payment' ? (
                <span class="ref" data-testid="confirmation">
                  {t('tlConfirmation', { ref: e.reference })}
                </span>
              ) : e.reference && e.kind === 'read' ? (
                <span class="ref">{t('tlMeter', { serial: e.reference })}</span>
              ) : null}
              {e.kind === 'bill' && e.billId ? (
                <ExplainBillButton
                  label={t('tlWhy')}
                  hint={title(e)}
                  onClick={() => setExplaining(e.billId)}
                />
              ) : null}
              {e.workflowUrl && e.kind !== 'bill' ? (
                <a href={e.workflowUrl} target="_blank" rel="noopener" title={e.workflowId ?? ''}>
                  {t('tlWorkflowLink')}
                  <span class="visually-hidden"> {title(e)}</span>
                </a>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
      {more ? (
        <button type="button" class="secondary" onClick={() => void loadMore()}>
          {t('tlMore')}
        </button>
      ) : null}
    </section>
  );
}
