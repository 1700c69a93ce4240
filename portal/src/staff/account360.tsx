// The account on one screen (the "360"): a header with the live balance, what is past due, the collections
// stage, the account's flags and quick actions; beneath it the activity timeline, with the detailed panels
// one tab away (#/account/:id/ledger, /usage, /cases, /details) instead of one very long page.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AccountWorkflow } from '../../../api/routes/bills.schema';
import type { AccountRead } from '../../../api/routes/usage.schema';
import { LeakBanner } from '../components/LeakBanner';
import { usePastDue } from '../components/PastDueBanner';
import {
  type Action,
  ActionsPanel,
  type Collections,
  DisputesPanel,
  DunningPanel,
  FieldOrdersPanel,
  LoginsPanel,
  MessagesPanel,
  ServiceOrdersPanel,
} from '../components/staff360';
import { ErrorNote, Money } from '../components/ui';
import { type AccountSummary, api, type ListOf, type Me, type Usage } from '../lib/api';
import { type Key, plainWord, t, useLang, word } from '../lib/i18n';
import { useAccountEvents } from '../lib/live';
import { BillsCard, PaymentsCard } from './account-ledger';
import { type Aging, AgingKpis } from './account-summary';
import { UsageCard } from './account-usage';
import { PastDueSummary } from './past-due-summary';
import type { Read } from './shared';
import { canBill } from './shared';
import { Timeline } from './timeline';
import { type Workflow, WorkflowsCard } from './workflows';

export const TABS: [string, Key][] = [
  ['timeline', 'a360TabTimeline'],
  ['ledger', 'a360TabLedger'],
  ['usage', 'a360TabUsage'],
  ['cases', 'a360TabCases'],
  ['details', 'a360TabDetails'],
];

export function Account360({ id, me, tab = 'timeline' }: { id: string; me: Me; tab?: string }) {
  const lang = useLang();
  const [a, setA] = useState<AccountSummary | null>(null);
  const [aging, setAging] = useState<Aging | null>(null);
  const [coll, setColl] = useState<Collections | null>(null);
  const [usage, setUsage] = useState<Usage | null>(null);
  const [reads, setReads] = useState<Read[] | null>(null);
  const [flows, setFlows] = useState<Workflow[] | null>(null);
  const [flowErr, setFlowErr] = useState<unknown>(null);
  const [err, setErr] = useState<unknown>(null);
  const [live, setLive] = useState(false);
  const [version, setVersion] = useState(0);
  const [acting, setActing] = useState<Action | null>(null);
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
    api<Collections>(`/accounts/${id}/collections`).then(setColl, () => setColl(null));
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  // each tab's data is asked for when the tab is first opened
  useEffect(() => {
    if (tab === 'usage' && !usage) {
      api<Usage>(`/accounts/${id}/usage?months=24`).then(setUsage, setErr);
      api<ListOf<typeof AccountRead>>(`/accounts/${id}/reads?limit=24`).then((r) => setReads(r.data), setErr);
    }
    if (tab === 'cases' && !flows)
      api<ListOf<typeof AccountWorkflow>>(`/accounts/${id}/workflows`).then(
        (r) => setFlows(r.data),
        setFlowErr,
      );
  }, [id, tab, usage, flows]);
  useAccountEvents(id, (e) => {
    setLive(true);
    setA((prev) => (prev ? { ...prev, balanceCents: e.balanceCents } : prev));
    if (e.type !== 'balance') {
      void load();
      setVersion((v) => v + 1);
    }
  });
  if (err) return <ErrorNote error={err} />;
  if (!a) return <p>{t('loading')}</p>;
  const done = () => {
    setVersion((v) => v + 1);
    void load();
  };
  return (
    <div class="grid">
      <AccountHeader a={a} coll={coll} live={live} me={me} onAct={setActing} />
      <LeakBanner accountId={a.id} />
      <PastDueSummary accountId={a.id} version={a.balanceCents} />
      {acting ? (
        <div class="acting">
          <ActionsPanel key={acting} a={a} me={me} initial={acting} onDone={done} />
          <button type="button" class="link" onClick={() => setActing(null)}>
            {t('a360CloseActions')}
          </button>
        </div>
      ) : null}
      <nav class="tabs" aria-label={t('a360Sections')}>
        {TABS.map(([k, label]) => (
          <a key={k} href={`#/account/${a.id}/${k}`} aria-current={tab === k ? 'page' : undefined}>
            {t(label)}
          </a>
        ))}
      </nav>
      {tab === 'timeline' ? <Timeline accountId={a.id} version={version} /> : null}
      {tab === 'ledger' ? (
        <>
          {aging ? (
            <section class="card" aria-label={t('a360Aging')}>
              <AgingKpis buckets={aging.buckets} />
            </section>
          ) : null}
          <div class="grid two">
            <BillsCard a={a} />
            <PaymentsCard a={a} />
          </div>
        </>
      ) : null}
      {tab === 'usage' ? <UsageCard usage={usage} reads={reads} lang={lang} /> : null}
      {tab === 'cases' ? (
        <>
          <WorkflowsCard flows={flows} err={flowErr} />
          <div class="grid two">
            <DunningPanel accountId={a.id} version={version} />
            <DisputesPanel a={a} version={version} />
            <ServiceOrdersPanel accountId={a.id} version={version} />
            <FieldOrdersPanel accountId={a.id} version={version} />
          </div>
        </>
      ) : null}
      {tab === 'details' ? (
        <div class="grid two">
          <MessagesPanel accountId={a.id} />
          <LoginsPanel accountId={a.id} />
        </div>
      ) : null}
    </div>
  );
}

const QUICK: [Action, Key][] = [
  ['dispute', 'a360QuickDispute'],
  ['reread', 'a360QuickReread'],
  ['adjustment', 'a360QuickAdjust'],
  ['arrangement', 'a360QuickArrangement'],
];

/** Who and where, the live balance, the stage, the flags, and the actions one click away. */
function AccountHeader({
  a,
  coll,
  live,
  me,
  onAct,
}: {
  a: AccountSummary;
  coll: Collections | null;
  live: boolean;
  me: Me;
  onAct: (x: Action) => void;
}) {
  const addr = a.serviceAgreements[0];
  const { pastDue } = usePastDue(a.id, a.balanceCents);
  const flags: string[] = [
    word(a.status),
    a.paperless ? t('a360FlagPaperless') : t('a360FlagPaper'),
    ...(coll?.serviceState === 'disconnected' ? [t('a360FlagDisconnected')] : []),
    ...(coll?.holds.map((h) => t('a360FlagHold', { kind: word(h.kind) })) ?? []),
    ...(coll?.arrangement ? [t('a360FlagArrangement')] : []),
    ...(a.netMeteringCreditCents ? [t('a360FlagSolar')] : []),
  ];
  return (
    <section class="card account-head" aria-label={t('a360Account')}>
      <div class="head-main">
        <h1>
          {a.customer.name} · {a.accountNumber}
        </h1>
        <p class="muted">
          {addr ? `${addr.addressLine1}, ${addr.city} ${addr.state} ${addr.postalCode}` : t('a360NoAddress')}{' '}
          · {t('a360Cycle', { cycle: a.billingCycle })} ·{' '}
          {a.serviceAgreements.map((s) => `${word(s.serviceType)} (${s.rateSchedule})`).join(', ')}
        </p>
        <ul class="flags" aria-label={t('a360Flags')} data-testid="flags">
          {flags.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      </div>
      <dl class="head-figures">
        <div>
          <dt>
            {t('a360Balance')} {live ? <span class="live">● {t('a360Live')}</span> : null}
          </dt>
          <dd class="balance" data-testid="balance" aria-live="polite">
            <Money cents={a.balanceCents} />
          </dd>
        </div>
        <div>
          <dt>{t('a360PastDue')}</dt>
          <dd data-testid="head-past-due">
            {pastDue ? <Money cents={Math.max(0, pastDue.pastDueCents)} /> : '—'}
          </dd>
        </div>
        <div>
          <dt>{t('a360Stage')}</dt>
          <dd data-testid="stage">{coll ? plainWord(coll.stage) : '—'}</dd>
        </div>
        {a.netMeteringCreditCents ? (
          <div>
            <dt>{t('a360SolarCredit')}</dt>
            <dd data-testid="solar-credit">
              <Money cents={a.netMeteringCreditCents} />
            </dd>
          </div>
        ) : null}
      </dl>
      <div class="header-actions quick-actions" data-testid="quick-actions">
        {QUICK.filter(([k]) => k !== 'adjustment' || canBill(me)).map(([k, label]) => (
          <button key={k} type="button" class="secondary" onClick={() => onAct(k)}>
            {t(label)}
          </button>
        ))}
      </div>
    </section>
  );
}
