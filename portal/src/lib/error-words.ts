// What went wrong and what to do next, in the page's language: by the API's error code (api/plugins/errors.ts
// and the Refused codes of db/), else by the HTTP status, else "we could not reach the utility". Never a bare
// "Something went wrong".
import { PortalApiError } from './api';
import { currentLang, type Key, t } from './i18n';

/** Codes whose words already live in i18n.ts (the wallet and contacts screens). */
const IN_I18N: Record<string, Key> = {
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

const en = {
  invalid_credentials: 'That email and password do not match a login. Check both, or create a login.',
  email_in_use: 'That email already belongs to another login. Use a different one.',
  password_incorrect: 'That is not your current password. Check it and try again.',
  token_expired: 'That link has expired (links work for 30 minutes). Ask for a new one.',
  email_not_verified: 'Please confirm your email first: open the link we sent you, then sign in.',
  not_authenticated: 'You are signed out (sessions end after a while). Sign in again to go on.',
  csrf_token_invalid: 'This page was open too long. Reload it and try again.',
  rate_limited: 'That was a lot of requests in a short time. Wait a minute, then try again.',
  verification_failed:
    'The account number and bill amount do not match our records. Check both against your latest bill.',
  password_too_weak: 'Choose a longer password that is harder to guess: 10 characters or more.',
  resource_exists: 'That is already done: nothing more is needed.',
  idempotency_key_in_use: 'That request is still being handled. Wait a moment; do not pay twice.',
  arrangement_exists: 'This account already has a payment arrangement. See its schedule on the overview.',
  arrangement_not_eligible:
    'A payment arrangement is not available for this balance online. Call us and we will help.',
  dispute_exists: 'You have already questioned this bill. We will write to you when it is reviewed.',
  dispute_resolved: 'That question about the bill has already been answered.',
  bill_not_disputable: 'This bill can no longer be questioned online. Call us and we will look at it.',
  bill_cancelled: 'That bill was replaced by a corrected one. Open the newer bill from your bills.',
  account_closed: 'This account is closed, so this cannot be done on it. Call us if you need help.',
  workflow_pending: 'This is taking longer than usual. It will finish on its own; reload in a minute.',
  resource_missing: 'We could not find that. It may have changed: reload the page.',
  permission: 'Your login cannot see this account. Link it first with its account number.',
  invalid_field: 'Please check {field} and try again.',
  invalid: 'Something in the form needs another look: {message}',
  conflict: 'That changed while you were looking. Reload the page to see the latest.',
  server: 'Our system could not finish this just now. Please try again in a few minutes.',
  offline: 'We could not reach the server. Check your internet connection and try again.',
  call: 'If it keeps happening, call {phone}.',
};
type ErrKey = keyof typeof en;

const es: Record<ErrKey, string> = {
  email_in_use: 'Ese correo ya pertenece a otro acceso. Use uno diferente.',
  password_incorrect: 'Esa no es su contraseña actual. Revísela e intente de nuevo.',
  token_expired: 'Ese enlace venció (los enlaces sirven 30 minutos). Pida uno nuevo.',
  invalid_credentials:
    'Ese correo y esa contraseña no coinciden con ningún acceso. Revise ambos o cree un acceso.',
  email_not_verified: 'Primero confirme su correo: abra el enlace que le enviamos y luego inicie sesión.',
  not_authenticated: 'Su sesión terminó (las sesiones vencen al rato). Inicie sesión de nuevo para seguir.',
  csrf_token_invalid: 'Esta página estuvo abierta mucho tiempo. Vuelva a cargarla e intente de nuevo.',
  rate_limited: 'Fueron muchas solicitudes en poco tiempo. Espere un minuto e intente de nuevo.',
  verification_failed:
    'El número de cuenta y el monto de la factura no coinciden con nuestros registros. Compárelos con su última factura.',
  password_too_weak: 'Elija una contraseña más larga y difícil de adivinar: 10 caracteres o más.',
  resource_exists: 'Eso ya está hecho: no hace falta nada más.',
  idempotency_key_in_use: 'Esa solicitud todavía se está procesando. Espere un momento; no pague dos veces.',
  arrangement_exists: 'Esta cuenta ya tiene un plan de pagos. Vea sus fechas en el resumen.',
  arrangement_not_eligible:
    'Un plan de pagos para este saldo no está disponible en línea. Llámenos y le ayudaremos.',
  dispute_exists: 'Ya reclamó esta factura. Le escribiremos cuando la hayamos revisado.',
  dispute_resolved: 'Ese reclamo sobre la factura ya fue respondido.',
  bill_not_disputable: 'Esta factura ya no se puede reclamar en línea. Llámenos y la revisaremos.',
  bill_cancelled: 'Esa factura fue reemplazada por una corregida. Abra la factura más reciente.',
  account_closed: 'Esta cuenta está cerrada, así que no se puede hacer esto. Llámenos si necesita ayuda.',
  workflow_pending: 'Esto está tardando más de lo normal. Terminará solo; vuelva a cargar en un minuto.',
  resource_missing: 'No lo encontramos. Puede haber cambiado: vuelva a cargar la página.',
  permission: 'Su acceso no puede ver esta cuenta. Vincúlela primero con su número de cuenta.',
  invalid_field: 'Revise {field} e intente de nuevo.',
  invalid: 'Hay algo en el formulario que revisar.',
  conflict: 'Eso cambió mientras lo miraba. Vuelva a cargar la página para ver lo último.',
  server: 'Nuestro sistema no pudo terminar esto ahora. Intente de nuevo en unos minutos.',
  offline: 'No pudimos comunicarnos con el servidor. Revise su conexión a internet e intente de nuevo.',
  call: 'Si sigue pasando, llame al {phone}.',
};

/** The form fields the API names (its `param`) in the customer's words. */
const FIELD: Record<string, Key> = {
  email: 'email',
  password: 'password',
  accountNumber: 'accountNumber',
  amountCents: 'amount',
  amount: 'amount',
  lastBillCents: 'lastBill',
  'verification.lastBillCents': 'lastBill',
};

function say(k: ErrKey, vars: Record<string, string> = {}): string {
  const text = (currentLang() === 'es' ? es : en)[k];
  return text.replace(/\{(\w+)\}/g, (_, v: string) => vars[v] ?? '');
}

/**
 * The words for an error: a known code in the page's language; a field the API named; else by status. The
 * API's own English message is shown only in English and only for a refusal of the form's input, where it
 * names what to fix.
 */
export function errorWords(e: unknown, phone?: string | null): string {
  const withCall = (s: string) => (phone ? `${s} ${say('call', { phone })}` : s);
  if (!(e instanceof PortalApiError)) {
    // fetch rejects with a TypeError when the network is down; anything else was already put in words
    if (e instanceof TypeError) return say('offline');
    return e instanceof Error ? e.message : String(e);
  }
  if (IN_I18N[e.code]) return t(IN_I18N[e.code]!);
  if (e.code in en) return say(e.code as ErrKey);
  if (e.status === 401) return say('not_authenticated');
  if (e.status === 403) return say('permission');
  if (e.status === 404) return say('resource_missing');
  if (e.status === 409) return say('conflict');
  if (e.status === 429) return say('rate_limited');
  if (e.status >= 500) return withCall(say('server'));
  const field = e.param && (FIELD[e.param] ?? FIELD[e.param.replace(/^body\./, '')]);
  if (field) return say('invalid_field', { field: `«${t(field)}»` });
  return currentLang() === 'es' ? say('invalid') : say('invalid', { message: e.message });
}
