// What a utility tells its customers about: the alert types customers subscribe to, per channel.
export const ALERT_TYPES = [
  'bill_ready',
  'payment_due',
  'payment_received',
  'payment_failed',
  'payment_returned',
  'high_usage',
  'leak_suspected',
  'outage',
  'dispute_status',
  'service_request_status',
  'paperless_enrolled',
  'collection_notice',
  'arrangement_status',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];
