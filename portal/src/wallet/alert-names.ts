// The one place an alert type gets the name a customer reads, in English and Spanish ("A new bill is
// ready", not `bill_ready`). A type without a name yet is shown in words made from its code.
import type { AlertType } from '../../../domain/messages/alerts';
import { type Key, t } from '../lib/i18n';

const ALERT_NAME: Record<AlertType, Key> = {
  bill_ready: 'alertBillReady',
  payment_due: 'alertPaymentDue',
  payment_received: 'alertPaymentReceived',
  payment_failed: 'alertPaymentFailed',
  payment_returned: 'alertPaymentReturned',
  high_usage: 'alertHighUsage',
  leak_suspected: 'alertLeakSuspected',
  outage: 'alertOutage',
  dispute_status: 'alertDisputeStatus',
  service_request_status: 'alertServiceRequestStatus',
  paperless_enrolled: 'alertPaperless',
  collection_notice: 'alertCollectionNotice',
  arrangement_status: 'alertArrangementStatus',
};

export function alertName(type: string): string {
  const key = ALERT_NAME[type as AlertType];
  return key ? t(key) : type.replace(/_/g, ' ');
}
