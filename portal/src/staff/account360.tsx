// The account on one screen (the "360"): its balance live, aging, bills and payments, usage and reads, its
// workflows, and the panels staff act through.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AccountWorkflow } from '../../../api/routes/bills.schema';
import type { AccountRead } from '../../../api/routes/usage.schema';
import {
  ActionsPanel,
  DisputesPanel,
  DunningPanel,
  FieldOrdersPanel,
  LoginsPanel,
  MessagesPanel,
  ServiceOrdersPanel,
} from '../components/staff360';
import { ErrorNote } from '../components/ui';
import { type AccountSummary, api, type ListOf, type Me, type Usage } from '../lib/api';
import { useLang } from '../lib/i18n';
import { useAccountEvents } from '../lib/live';
import { BillsCard, PaymentsCard } from './account-ledger';
import { AccountSummaryCard, type Aging } from './account-summary';
import { UsageCard } from './account-usage';
import { PastDueSummary } from './past-due-summary';
import type { Read } from './shared';
import { type Workflow, WorkflowsCard } from './workflows';

export function Account360({ id, me }: { id: string; me: Me }) {
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
    api<ListOf<typeof AccountRead>>(`/accounts/${id}/reads?limit=24`).then((r) => setReads(r.data), setErr);
    api<ListOf<typeof AccountWorkflow>>(`/accounts/${id}/workflows`).then(
      (r) => setFlows(r.data),
      setFlowErr,
    );
  }, [id, load]);
  useAccountEvents(id, (e) => {
    setLive(true);
    setA((prev) => (prev ? { ...prev, balanceCents: e.balanceCents } : prev));
    if (e.type !== 'balance') void load();
  });
  if (err) return <ErrorNote error={err} />;
  if (!a) return <p>Loading…</p>;
  return (
    <div class="grid">
      <AccountSummaryCard a={a} aging={aging} live={live} />
      <PastDueSummary accountId={a.id} version={a.balanceCents} />
      <div class="grid two">
        <BillsCard a={a} />
        <PaymentsCard a={a} />
      </div>
      <UsageCard usage={usage} reads={reads} lang={lang} />
      <WorkflowsCard flows={flows} err={flowErr} />
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
