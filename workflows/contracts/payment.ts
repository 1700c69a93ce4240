// The payment workflows' contract (workflows/payment.ts): one payment attempt driven by the gateway's events,
// a staff refund, and autopay for one bill. All run on the payments queue.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const PAYMENT = { type: WORKFLOW_TYPES.payment, taskQueue: TASK_QUEUES.payments } as const;
export const REFUND = { type: WORKFLOW_TYPES.refund, taskQueue: TASK_QUEUES.payments } as const;
export const AUTOPAY = { type: WORKFLOW_TYPES.autopay, taskQueue: TASK_QUEUES.payments } as const;

export const paymentWorkflowId = (paymentId: string) => `payment/${paymentId}`;
/** `seq` is the refund's number on its payment, reserved by the API before the workflow starts. */
export const refundWorkflowId = (paymentId: string, seq: number) => `refund/${paymentId}/${seq}`;
export const autopayWorkflowId = (billId: string) => `autopay/${billId}`;

export interface PaymentPolicy {
  /** fee for a returned payment (e.g. ACH R01), from utility policy */
  returnedPaymentFeeCents: number;
  /** how long after success a return can still arrive (ACH: up to 60 days) */
  returnWindow: string;
  /** how long to wait for the customer to confirm before giving up */
  confirmWindow: string;
}

export const DEFAULT_PAYMENT_POLICY: PaymentPolicy = {
  returnedPaymentFeeCents: 1500,
  returnWindow: '60 days',
  confirmWindow: '1 day',
};

/** A gateway webhook event, as the API hands it to the payment's workflow. */
export interface GatewayEvent {
  id: string;
  type: string;
  failureCode?: string | null;
}

/** The payment's state machine (workflows/payment.ts); `expired`: the customer never confirmed. */
export type PaymentStatus = 'created' | 'processing' | 'succeeded' | 'failed' | 'returned' | 'expired';

export interface PaymentState {
  status: PaymentStatus;
  provider: string | null;
  intentId: string | null;
  clientSecret: string | null;
}

export interface PaymentInput {
  paymentId: string;
  policy?: Partial<PaymentPolicy>;
}
export type PaymentWorkflow = (input: PaymentInput) => Promise<PaymentState>;

export interface RefundInput {
  refundId: string;
  paymentId: string;
  amountCents: number;
  reason: string;
  seq: number;
}
export interface RefundResult {
  status: 'succeeded' | 'failed';
  refundId: string | null;
  failure?: string;
}
export type RefundWorkflow = (input: RefundInput) => Promise<RefundResult>;

export interface AutopayInput {
  billId: string;
  dueDate: string;
  daysBeforeDue: number;
}
export type AutopayResult =
  | { status: 'nothing_due' }
  | { status: 'debit_started'; paymentId: string; amountCents: number };
export type AutopayWorkflow = (input: AutopayInput) => Promise<AutopayResult>;
/** The customer changed how many days before the due date autopay debits: the waiting workflow re-times. */
export const autopayRetimeSignal = defineSignal<[{ daysBeforeDue: number }]>('autopayRetime');

export const paymentEventSignal = defineSignal<[GatewayEvent]>('gatewayEvent');
export const paymentStateQuery = defineQuery<PaymentState>('payment');
