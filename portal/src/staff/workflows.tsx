// The account's workflows with their status, each linked into the Temporal UI.
import type { Static } from '@sinclair/typebox';
import type { AccountWorkflow } from '../../../api/routes/bills.schema';
import { Card, ErrorNote } from '../components/ui';

export type Workflow = Static<typeof AccountWorkflow>;

export function WorkflowsCard({ flows, err }: { flows: Workflow[] | null; err: unknown }) {
  return (
    <Card title="Workflows (Temporal UI)">
      {err ? <ErrorNote error={err} /> : null}
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
  );
}
