// The names Temporal knows cisflow's workflows by, in one place. Each workflow's contract says which of them
// it uses; test/unit/workflow-contracts.test.ts checks the type names against what workflows/index.ts exports.

/** Task queues are named by capability, so each can be scaled (more workers) on its own. */
export const TASK_QUEUES = { billing: 'billing', payments: 'payments', messaging: 'messaging' } as const;
export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

/** A queue's name on the server: a test file or bench prefixes every queue so only its own workers poll it. */
export const taskQueueName = (queue: TaskQueue, prefix?: string) => `${prefix ?? ''}${queue}`;

/** Workflow types: the names of the functions the workflow bundle exports. */
export const WORKFLOW_TYPES = {
  arrangement: 'arrangementWorkflow',
  autopay: 'autopayWorkflow',
  billRun: 'billRunWorkflow',
  billingCycle: 'billingCycleWorkflow',
  collectionsHandoff: 'collectionsHandoffWorkflow',
  dispute: 'disputeWorkflow',
  dunning: 'dunningWorkflow',
  highUsageCheck: 'highUsageCheckWorkflow',
  intervalPartitions: 'intervalPartitionsWorkflow',
  leakCheck: 'leakCheckWorkflow',
  notification: 'notificationWorkflow',
  notificationBatch: 'notificationBatchWorkflow',
  payment: 'paymentWorkflow',
  rateImpact: 'rateImpactWorkflow',
  refund: 'refundWorkflow',
  serviceRequest: 'serviceRequestWorkflow',
} as const;
