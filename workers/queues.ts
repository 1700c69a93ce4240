// Task queues are named by capability, so each can be scaled (more workers) on its own.
export const TASK_QUEUES = { billing: 'billing', payments: 'payments', messaging: 'messaging' } as const;
