// The API's refusals on these screens in the customer's language, by error code (the API's own message, in
// English, stays for any other code).
import { PortalApiError } from '../lib/api';
import { type Key, t } from '../lib/i18n';

const BY_CODE: Record<string, Key> = {
  payment_method_in_use: 'pmRemoveAutopayFirst',
  payment_method_invalid: 'errMethodGone',
  saved_methods_unavailable: 'pmOffline',
  gateway_unavailable: 'errGateway',
  contact_needed: 'errContactNeeded',
  consent_required: 'errConsent',
  consent_outdated: 'errConsent',
  invalid_email: 'errInvalidEmail',
  invalid_phone: 'errInvalidPhone',
  wrong_code: 'errWrongCode',
  expired: 'errCodeExpired',
  too_many_attempts: 'errTooManyTries',
  no_pending_code: 'errCodeExpired',
  too_many_verification_messages: 'errTooManySends',
  too_many_contacts: 'errTooManyContacts',
  token_invalid: 'ctLinkBroken',
};

/** The error to show: a known refusal in words of the page's language, anything else as it came. */
export function inWords(e: unknown): unknown {
  if (e instanceof PortalApiError && BY_CODE[e.code]) return new Error(t(BY_CODE[e.code]!));
  return e;
}
