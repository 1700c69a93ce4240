// English and Spanish. The customer's choice is kept in this browser; the page's lang attribute follows it.
import { useEffect, useState } from 'preact/hooks';

const en = {
  appTitle: 'My utility account',
  staffTitle: 'Staff console',
  signIn: 'Sign in',
  signOut: 'Sign out',
  email: 'Email',
  password: 'Password',
  signUp: 'Create a login',
  haveLogin: 'I already have a login',
  noLogin: 'New here? Link your utility account',
  accountNumber: 'Account number (10 digits, on your bill)',
  verifyWith: 'Verify with',
  zip: 'ZIP code of the service address',
  zipShort: 'ZIP code',
  lastBillShort: 'Last bill amount',
  lastBill: 'Amount of your last bill',
  yourName: 'Your name',
  newPassword: 'Choose a password (10 characters or more)',
  balance: 'Current balance',
  due: 'Due {date}',
  nothingDue: 'Nothing is due',
  credit: 'You have a credit',
  payNow: 'Pay now',
  overview: 'Overview',
  usage: 'Usage',
  bills: 'Bills',
  payments: 'Payments',
  settings: 'Settings',
  usageTitle: 'Usage history',
  months12: '12 months',
  months24: '24 months',
  thisPeriod: 'Usage',
  lastYear: 'Same month last year',
  month: 'Month',
  noUsage: 'No metered usage yet.',
  showTable: 'Show as a table',
  period: 'Period',
  billed: 'Billed',
  dueDate: 'Due',
  amount: 'Amount',
  pdf: 'PDF',
  viewPdf: 'View bill {period} (PDF)',
  noBills: 'No bills yet.',
  paymentHistory: 'Payment history (24 months)',
  date: 'Date',
  method: 'Method',
  status: 'Status',
  noPayments: 'No payments in the last 24 months.',
  card: 'Card',
  ach: 'Bank account (ACH)',
  cash: 'Cash',
  check: 'Check',
  lockbox: 'Mailed check',
  amountToPay: 'Amount to pay',
  continue: 'Continue',
  confirmPay: 'Pay {amount}',
  cancel: 'Cancel',
  paySaveAutopay: 'Use this payment method for autopay',
  paymentProcessing: 'Thank you. Your payment is processing; your balance updates as soon as it posts.',
  paymentDone: 'Thank you. Your payment has posted.',
  devOutbox: 'Payments are in dev outbox mode on this server: the payment is recorded without a card.',
  badAmount: 'Enter an amount such as 25.00',
  autopay: 'Autopay',
  autopayOn: 'Autopay is on: {method} {ref}, {days} day(s) before the due date.',
  autopayOff: 'Autopay is off. Make a card or bank payment and tick "use for autopay" to turn it on.',
  stopAutopay: 'Stop autopay',
  paperless: 'Paperless billing',
  paperlessOn: 'You get your bills by email.',
  paperlessOff: 'You get your bills by mail.',
  notAvailable: 'Not available yet',
  alerts: 'Alerts',
  serviceRequests: 'Service requests',
  disputes: 'Dispute a bill',
  downloadData: 'Download My Data (Green Button)',
  language: 'Español',
  loading: 'Loading…',
  live: 'Live',
  error: 'Something went wrong: {message}',
  services: 'Services',
  selectAccount: 'Account',
  succeeded: 'Posted',
  pending: 'Pending',
  processing: 'Processing',
  failed: 'Failed',
  returned: 'Returned',
  refunded: 'Refunded',
  issued: 'Issued',
  water: 'Water',
  sewer: 'Sewer',
  electric: 'Electric',
  gas: 'Gas',
  trash: 'Trash',
  skip: 'Skip to content',
};
export type Key = keyof typeof en;

const es: Record<Key, string> = {
  appTitle: 'Mi cuenta de servicios',
  staffTitle: 'Consola del personal',
  signIn: 'Iniciar sesión',
  signOut: 'Cerrar sesión',
  email: 'Correo electrónico',
  password: 'Contraseña',
  signUp: 'Crear acceso',
  haveLogin: 'Ya tengo acceso',
  noLogin: '¿Nuevo? Vincule su cuenta de servicios',
  accountNumber: 'Número de cuenta (10 dígitos, en su factura)',
  verifyWith: 'Verificar con',
  zip: 'Código postal de la dirección de servicio',
  zipShort: 'Código postal',
  lastBillShort: 'Importe de la última factura',
  lastBill: 'Importe de su última factura',
  yourName: 'Su nombre',
  newPassword: 'Elija una contraseña (10 caracteres o más)',
  balance: 'Saldo actual',
  due: 'Vence el {date}',
  nothingDue: 'No hay nada pendiente',
  credit: 'Tiene un crédito',
  payNow: 'Pagar ahora',
  overview: 'Resumen',
  usage: 'Consumo',
  bills: 'Facturas',
  payments: 'Pagos',
  settings: 'Ajustes',
  usageTitle: 'Historial de consumo',
  months12: '12 meses',
  months24: '24 meses',
  thisPeriod: 'Consumo',
  lastYear: 'Mismo mes del año pasado',
  month: 'Mes',
  noUsage: 'Todavía no hay consumo medido.',
  showTable: 'Ver como tabla',
  period: 'Periodo',
  billed: 'Facturado',
  dueDate: 'Vence',
  amount: 'Importe',
  pdf: 'PDF',
  viewPdf: 'Ver factura {period} (PDF)',
  noBills: 'Todavía no hay facturas.',
  paymentHistory: 'Historial de pagos (24 meses)',
  date: 'Fecha',
  method: 'Método',
  status: 'Estado',
  noPayments: 'No hay pagos en los últimos 24 meses.',
  card: 'Tarjeta',
  ach: 'Cuenta bancaria (ACH)',
  cash: 'Efectivo',
  check: 'Cheque',
  lockbox: 'Cheque por correo',
  amountToPay: 'Importe a pagar',
  continue: 'Continuar',
  confirmPay: 'Pagar {amount}',
  cancel: 'Cancelar',
  paySaveAutopay: 'Usar este método de pago para el pago automático',
  paymentProcessing: 'Gracias. Su pago se está procesando; su saldo se actualiza en cuanto se registre.',
  paymentDone: 'Gracias. Su pago ha sido registrado.',
  devOutbox: 'Los pagos están en modo de prueba en este servidor: el pago se registra sin tarjeta.',
  badAmount: 'Escriba un importe como 25.00',
  autopay: 'Pago automático',
  autopayOn: 'El pago automático está activo: {method} {ref}, {days} día(s) antes del vencimiento.',
  autopayOff:
    'El pago automático está desactivado. Haga un pago con tarjeta o banco y marque "usar para pago automático".',
  stopAutopay: 'Detener el pago automático',
  paperless: 'Factura electrónica',
  paperlessOn: 'Recibe sus facturas por correo electrónico.',
  paperlessOff: 'Recibe sus facturas por correo postal.',
  notAvailable: 'Todavía no disponible',
  alerts: 'Alertas',
  serviceRequests: 'Solicitudes de servicio',
  disputes: 'Reclamar una factura',
  downloadData: 'Descargar mis datos (Green Button)',
  language: 'English',
  loading: 'Cargando…',
  live: 'En vivo',
  error: 'Algo salió mal: {message}',
  services: 'Servicios',
  selectAccount: 'Cuenta',
  succeeded: 'Registrado',
  pending: 'Pendiente',
  processing: 'En proceso',
  failed: 'Rechazado',
  returned: 'Devuelto',
  refunded: 'Reembolsado',
  issued: 'Emitida',
  water: 'Agua',
  sewer: 'Alcantarillado',
  electric: 'Electricidad',
  gas: 'Gas',
  trash: 'Basura',
  skip: 'Saltar al contenido',
};

export type Lang = 'en' | 'es';
const dicts: Record<Lang, Record<Key, string>> = { en, es };
const listeners = new Set<(l: Lang) => void>();
let current: Lang = localStorage.getItem('cisflow.lang') === 'es' ? 'es' : 'en';
document.documentElement.lang = current;

export const locale = () => (current === 'es' ? 'es-US' : 'en-US');

export function setLang(l: Lang) {
  current = l;
  localStorage.setItem('cisflow.lang', l);
  document.documentElement.lang = l;
  for (const f of listeners) f(l);
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return dicts[current][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** Known words (statuses, services, methods) translated; anything else shown as it came. */
export function word(s: string): string {
  return s in en ? t(s as Key) : s;
}

/** Re-renders the calling component when the language changes. */
export function useLang(): Lang {
  const [l, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return l;
}

export function formatDate(iso: string): string {
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(d);
}

export function formatMonth(period: string): string {
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${period}-15T00:00:00Z`),
  );
}
