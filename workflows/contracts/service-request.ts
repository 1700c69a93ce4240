// The service-request workflow's contract (workflows/service-request.ts): approval where policy requires it,
// then the work (start, stop, transfer, mailing address, re-read, seasonal suspend and resume).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { TASK_QUEUES, WORKFLOW_TYPES } from './names.js';

export const SERVICE_REQUEST = {
  type: WORKFLOW_TYPES.serviceRequest,
  taskQueue: TASK_QUEUES.billing,
} as const;

export const serviceRequestWorkflowId = (requestId: string) => `service-request/${requestId}`;

/** service_request.status: `submitted` until the workflow takes it; `awaiting_approval` is the approval queue. */
export const SERVICE_REQUEST_STATUSES = [
  'submitted',
  'awaiting_approval',
  'in_progress',
  'completed',
  'rejected',
  'failed',
] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];
/** The statuses the workflow moves a request to. */
export type ServiceRequestStep = Exclude<ServiceRequestStatus, 'submitted'>;

export interface ServiceRequestInput {
  requestId: string;
  /** the final bill's due days (a stop); default 21 */
  billingDueDays?: number;
}

export interface ServiceRequestDecision {
  approve: boolean;
  by: string;
  note?: string;
}

export interface ServiceRequestState {
  status: ServiceRequestStatus;
  /** what the work did, once completed or failed */
  result: unknown;
}
export type ServiceRequestWorkflow = (input: ServiceRequestInput) => Promise<ServiceRequestState>;

export const serviceRequestStateQuery = defineQuery<ServiceRequestState>('serviceRequest');
export const decideServiceRequestUpdate = defineUpdate<
  { status: ServiceRequestStep },
  [ServiceRequestDecision]
>('decideServiceRequest');
