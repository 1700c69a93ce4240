// The workflow bundle's entry point: every workflow type the workers serve.

export * from './arrangement.js';
export * from './bill-run.js';
export * from './billing-cycle.js';
export * from './collections.js';
export * from './dispute.js';
export * from './interval-partitions.js';
export * from './leak-check.js';
export * from './messaging.js';
export * from './payment.js';
export * from './rate-impact.js';
export * from './service-request.js';
