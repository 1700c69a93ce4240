// A bill run's progress: its workflow, a bar of the accounts done, and each count.
import type { Static } from '@sinclair/typebox';
import type { BillRun as BillRunSchema } from '../../../api/routes/bill-runs.schema';
import type { BillRunProgress } from '../../../workflows/contracts/bill-run';

/** The schema leaves progress open; it is the bill-run contract's progress. */
export type BillRun = Omit<Static<typeof BillRunSchema>, 'progress'> & {
  progress: Partial<BillRunProgress> | null;
};

const COUNTS = [
  'total',
  'billed',
  'alreadyBilled',
  'held',
  'estimated',
  'failed',
  'emailed',
  'printed',
] as const;

export function RunProgress({ run }: { run: BillRun }) {
  const p = run.progress;
  const total = p?.total ?? 0;
  const done = (p?.billed ?? 0) + (p?.alreadyBilled ?? 0) + (p?.held ?? 0) + (p?.failed ?? 0);
  return (
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
        {COUNTS.map((k) => (
          <div class="kpi" key={k}>
            <span class="muted">{k}</span>
            <strong>{p?.[k] ?? 0}</strong>
          </div>
        ))}
      </div>
    </section>
  );
}
