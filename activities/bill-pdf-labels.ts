// Every word the bill PDF prints, in English and Spanish (the customer's language, customer.language).
import type { BillLanguage } from '../domain/date-format.js';

const en = {
  title: 'Bill for account {account}, {period}',
  account: 'Account',
  billDate: 'Bill date',
  due: 'Due',
  serviceAddress: 'Service address',
  billingPeriod: 'Billing period',
  days: '{n} days',
  previousBalance: 'Previous balance',
  payments: 'Payments',
  adjustments: 'Adjustments',
  currentCharges: 'Current charges',
  amountDue: 'Amount due',
  message: 'Message from {utility}',
  yourUsage: 'Your usage this period',
  service: 'Service',
  used: 'Used',
  perDay: 'Average per day',
  lastYear: 'Same period last year',
  noBillLastYear: 'no bill last year',
  changeUp: '{pct}% more',
  changeDown: '{pct}% less',
  changeSame: 'the same',
  changeFromZero: 'up from none',
  chargesByService: 'Charges by service',
  totalCurrent: 'Total current charges',
  continued: 'Details of your usage and charges are on the next page.',
  meterReads: 'Meter reads',
  meter: 'meter',
  on: 'on',
  to: 'to',
  none: 'none',
  estimated: '(estimated)',
  actual: '(actual)',
  chart: 'Your {service} use, last {n} months ({unit})',
  chartAlt: '{service} use by month: {months}',
  noBill: 'no bill',
  charges: 'Charges, with how each was calculated',
  of: 'of',
  ofDays: '{n} of {d} days',
  stub: 'Return this portion with your payment',
  enclosed: 'Amount enclosed $__________',
  payTo: 'Make checks payable to {utility} and mail to:',
  questions: 'Questions: {phone}',
  emergency: 'Emergencies, day or night: {phone}',
  hours: 'Office hours: {hours}',
  page: 'Page {n} of {of}',
  month: 'month',
  months: 'months',
  year: 'year',
  years: 'years',
};

type Labels = typeof en;

const es: Labels = {
  title: 'Factura de la cuenta {account}, {period}',
  account: 'Cuenta',
  billDate: 'Fecha de factura',
  due: 'Vence',
  serviceAddress: 'Dirección de servicio',
  billingPeriod: 'Período de facturación',
  days: '{n} días',
  previousBalance: 'Saldo anterior',
  payments: 'Pagos',
  adjustments: 'Ajustes',
  currentCharges: 'Cargos actuales',
  amountDue: 'Total a pagar',
  message: 'Mensaje de {utility}',
  yourUsage: 'Su consumo en este período',
  service: 'Servicio',
  used: 'Consumo',
  perDay: 'Promedio por día',
  lastYear: 'Mismo período del año pasado',
  noBillLastYear: 'sin factura el año pasado',
  changeUp: '{pct}% más',
  changeDown: '{pct}% menos',
  changeSame: 'igual',
  changeFromZero: 'antes sin consumo',
  chargesByService: 'Cargos por servicio',
  totalCurrent: 'Total de cargos actuales',
  continued: 'El detalle de su consumo y sus cargos está en la página siguiente.',
  meterReads: 'Lecturas del medidor',
  meter: 'medidor',
  on: 'el',
  to: 'a',
  none: 'ninguna',
  estimated: '(estimada)',
  actual: '(real)',
  chart: 'Su consumo de {service}, últimos {n} meses ({unit})',
  chartAlt: 'Consumo de {service} por mes: {months}',
  noBill: 'sin factura',
  charges: 'Cargos, con el cálculo de cada uno',
  of: 'de',
  ofDays: '{n} de {d} días',
  stub: 'Devuelva esta parte con su pago',
  enclosed: 'Monto adjunto $__________',
  payTo: 'Haga los cheques a nombre de {utility} y envíelos a:',
  questions: 'Preguntas: {phone}',
  emergency: 'Emergencias, de día o de noche: {phone}',
  hours: 'Horario de oficina: {hours}',
  page: 'Página {n} de {of}',
  month: 'mes',
  months: 'meses',
  year: 'año',
  years: 'años',
};

export type LabelKey = keyof Labels;

/** service names (the service_type values a bill segment can have) */
const SERVICES: Record<BillLanguage, Record<string, string>> = {
  en: { water: 'Water', sewer: 'Sewer', electric: 'Electric', gas: 'Gas', trash: 'Trash' },
  es: { water: 'Agua', sewer: 'Alcantarillado', electric: 'Electricidad', gas: 'Gas', trash: 'Basura' },
};

/** The bill's words in one language; `{name}` placeholders filled from `vars`. */
export function billLabels(lang: BillLanguage) {
  const dict = lang === 'es' ? es : en;
  const t = (key: LabelKey, vars: Record<string, string | number> = {}) =>
    dict[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
  /** a service's name ("water" -> "Water" / "Agua"); a service with no label is shown as stored */
  const service = (s: string) => SERVICES[lang][s] ?? s.charAt(0).toUpperCase() + s.slice(1);
  return { t, service };
}
