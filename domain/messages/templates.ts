// Message templates (pure): plain, short sentences, English and Spanish, with the real figures. Email has a
// subject, a plain-text body and the same text as simple semantic HTML (lang attribute, one idea per
// paragraph, links written out); SMS is one or two segments (see segments.ts), enforced here.
import { formatLocalDateTime } from '../date-format.js';
import { formatCents } from '../decimal.js';
import { ALERT_TYPES } from './alerts.js';
import { countSegments, type SmsEncoding, toGsm7 } from './segments.js';

export type Language = 'en' | 'es';
export type TemplateData = Record<string, string | number | boolean | null | undefined>;

/**
 * Alert types the messaging capability renders: every AlertType, plus its own contact messages and the login
 * security notices (not subscribable: a customer is always told a login was linked to their account).
 */
export const MESSAGE_TEMPLATES = [
  ...ALERT_TYPES,
  'contact_verification',
  'subscriptions_changed',
  'login_linked',
  'login_email_verification',
  'signup_email_in_use',
  'staff_invitation',
  'password_reset',
  'login_email_change',
  'login_email_change_notice',
] as const;
export type MessageTemplate = (typeof MESSAGE_TEMPLATES)[number];

export interface RenderContext {
  language: Language;
  /** the account the notice is about, shown as its last 4 digits */
  accountNumber: string;
  publicUrl: string;
  /** who signs the email: the utility's settings in force */
  utility?: { name: string; phone: string | null };
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  sms: string;
  smsEncoding: SmsEncoding;
  smsSegments: number;
}

const MONTHS: Record<Language, string[]> = {
  en: 'January February March April May June July August September October November December'.split(' '),
  es: 'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre'.split(' '),
};

const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
export function formatDate(v: unknown, lang: Language): string | null {
  if (!isDate(v)) return null;
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  const month = MONTHS[lang][m - 1];
  if (!month) return null;
  return lang === 'es' ? `${d} de ${month} de ${y}` : `${month} ${d}, ${y}`;
}
function formatPeriod(v: unknown, lang: Language): string | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}$/.test(v)) return null;
  const month = MONTHS[lang][Number(v.slice(5, 7)) - 1];
  return month ? (lang === 'es' ? `${month} de ${v.slice(0, 4)}` : `${month} ${v.slice(0, 4)}`) : null;
}
const money = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? formatCents(v) : null);
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
const num = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && v.trim()) ? String(v) : null);

interface Parts {
  subject: string;
  /** paragraphs of the email */
  lines: string[];
  sms: string;
  link?: string | null;
  /** the words before the link (default: "View it here") */
  linkLabel?: string;
}

type T = (d: TemplateData, c: RenderContext, en: boolean) => Parts;

const STATUS_ES: Record<string, string> = {
  open: 'abierta',
  opened: 'abierta',
  received: 'recibida',
  in_review: 'en revisión',
  investigating: 'en revisión',
  scheduled: 'programada',
  in_progress: 'en curso',
  completed: 'completada',
  resolved: 'resuelta',
  closed: 'cerrada',
  cancelled: 'cancelada',
  approved: 'aprobada',
  denied: 'denegada',
  rejected: 'rechazada',
  active: 'activo',
  broken: 'incumplido',
  defaulted: 'incumplido',
  kept: 'cumplido',
};
const status = (v: unknown, en: boolean) => {
  const s = str(v);
  if (!s) return en ? 'updated' : 'actualizada';
  return en ? s.replaceAll('_', ' ') : (STATUS_ES[s] ?? s.replaceAll('_', ' '));
};

const TEMPLATES: Record<MessageTemplate, T> = {
  bill_ready: (d, c, en) => {
    const period = formatPeriod(d.period, c.language);
    const amount = money(d.amountCents);
    const due = formatDate(d.dueDate, c.language);
    const link = str(d.link) ?? `${c.publicUrl}/portal`;
    return en
      ? {
          subject: period ? `Your ${period} bill is ready` : 'Your bill is ready',
          lines: [
            `Your ${period ? `${period} ` : ''}bill is ready.`,
            ...(amount ? [`Amount due: ${amount}.`] : []),
            ...(due ? [`Due date: ${due}.`] : []),
          ],
          sms: `Your bill${amount ? ` for ${amount}` : ''} is ready${due ? `, due ${due}` : ''}. ${link}`,
          link,
        }
      : {
          subject: period ? `Su factura de ${period} está lista` : 'Su factura está lista',
          lines: [
            `Su factura ${period ? `de ${period} ` : ''}está lista.`,
            ...(amount ? [`Monto a pagar: ${amount}.`] : []),
            ...(due ? [`Fecha de vencimiento: ${due}.`] : []),
          ],
          sms: `Su factura${amount ? ` de ${amount}` : ''} está lista${due ? `, vence el ${due}` : ''}. ${link}`,
          link,
        };
  },
  payment_due: (d, c, en) => {
    const amount = money(d.amountCents);
    const due = formatDate(d.dueDate, c.language);
    return en
      ? {
          subject: due ? `Payment due ${due}` : 'Payment reminder',
          lines: [
            `This is a reminder that ${amount ?? 'your bill'} is due${due ? ` on ${due}` : ' soon'}.`,
            'If you have already paid, thank you. Please ignore this message.',
          ],
          sms: `Reminder: ${amount ?? 'your bill'} is due${due ? ` ${due}` : ' soon'}. Pay at ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: due ? `Pago vence el ${due}` : 'Recordatorio de pago',
          lines: [
            `Le recordamos que ${amount ?? 'su factura'} vence${due ? ` el ${due}` : ' pronto'}.`,
            'Si ya pagó, gracias. Puede ignorar este mensaje.',
          ],
          sms: `Recordatorio: ${amount ?? 'su factura'} vence${due ? ` el ${due}` : ' pronto'}. Pague en ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        };
  },
  payment_received: (d, c, en) => {
    // the receipt: what the portal's receipt page shows, each line only when the payment carried it
    const amount = money(d.amountCents) ?? (en ? 'your payment' : 'su pago');
    const ref = str(d.confirmationNumber);
    const last4 = str(d.methodLast4);
    const kind = str(d.method);
    const brand = str(d.methodBrand);
    const methodName = brand
      ? brand.charAt(0).toUpperCase() + brand.slice(1)
      : kind === 'ach'
        ? en
          ? 'Bank account'
          : 'Cuenta bancaria'
        : kind === 'card'
          ? en
            ? 'Card'
            : 'Tarjeta'
          : null;
    const method = methodName
      ? `${methodName}${last4 ? (en ? ` ending ${last4}` : ` terminada en ${last4}`) : ''}`
      : null;
    const at =
      typeof d.postedAt === 'string' && !Number.isNaN(Date.parse(d.postedAt))
        ? formatLocalDateTime(d.postedAt, str(d.timeZone) ?? 'UTC', en ? 'en' : 'es')
        : null;
    const balance = money(d.newBalanceCents);
    return en
      ? {
          subject: ref ? `Payment received · confirmation ${ref}` : 'Payment received',
          lines: [
            `We received your payment of ${amount}. Thank you.`,
            ...(ref ? [`Confirmation number: ${ref}`] : []),
            ...(method ? [`Paid with: ${method}`] : []),
            ...(at ? [`Date and time: ${at}`] : []),
            ...(balance ? [`Your balance now: ${balance}`] : []),
          ],
          sms: `We received your payment of ${amount}${ref ? ` (confirmation ${ref})` : ''}. Thank you.`,
          link: `${c.publicUrl}/portal#payments`,
          linkLabel: 'See your receipt',
        }
      : {
          subject: ref ? `Pago recibido · confirmación ${ref}` : 'Pago recibido',
          lines: [
            `Recibimos su pago de ${amount}. Gracias.`,
            ...(ref ? [`Número de confirmación: ${ref}`] : []),
            ...(method ? [`Pagado con: ${method}`] : []),
            ...(at ? [`Fecha y hora: ${at}`] : []),
            ...(balance ? [`Su saldo ahora: ${balance}`] : []),
          ],
          sms: `Recibimos su pago de ${amount}${ref ? ` (confirmación ${ref})` : ''}. Gracias.`,
          link: `${c.publicUrl}/portal#payments`,
          linkLabel: 'Ver su recibo',
        };
  },
  payment_failed: (d, c, en) => {
    const amount = money(d.amountCents);
    const code = str(d.code);
    return en
      ? {
          subject: 'Payment not completed',
          lines: [
            `Your payment${amount ? ` of ${amount}` : ''} did not go through${code ? ` (${code})` : ''}.`,
            'Your balance is still due.',
          ],
          sms: `Your payment${amount ? ` of ${amount}` : ''} did not go through${code ? ` (${code})` : ''}. Your balance is still due. ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: 'Pago no completado',
          lines: [
            `Su pago${amount ? ` de ${amount}` : ''} no se completó${code ? ` (${code})` : ''}.`,
            'Su saldo sigue pendiente.',
          ],
          sms: `Su pago${amount ? ` de ${amount}` : ''} no se completó${code ? ` (${code})` : ''}. Su saldo sigue pendiente. ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        };
  },
  payment_returned: (d, _c, en) => {
    const amount = money(d.amountCents);
    const code = str(d.code);
    return en
      ? {
          subject: 'Payment returned by your bank',
          lines: [
            `Your bank returned your payment${amount ? ` of ${amount}` : ''}${code ? ` (${code})` : ''}.`,
            'The amount, and a returned-payment fee, are due again.',
          ],
          sms: `Your bank returned your payment${amount ? ` of ${amount}` : ''}${code ? ` (${code})` : ''}. The amount and a returned-payment fee are due.`,
        }
      : {
          subject: 'Su banco devolvió su pago',
          lines: [
            `Su banco devolvió su pago${amount ? ` de ${amount}` : ''}${code ? ` (${code})` : ''}.`,
            'El monto y un cargo por pago devuelto vuelven a estar pendientes.',
          ],
          sms: `Su banco devolvió su pago${amount ? ` de ${amount}` : ''}${code ? ` (${code})` : ''}. Debe el monto y un cargo por pago devuelto.`,
        };
  },
  high_usage: (d, c, en) => {
    const usage = num(d.usage);
    const normal = num(d.normal);
    const unit = str(d.unit) ? ` ${str(d.unit)}` : '';
    const service = str(d.service);
    const svcEs: Record<string, string> = {
      water: 'agua',
      electric: 'electricidad',
      gas: 'gas',
      sewer: 'alcantarillado',
    };
    const figures =
      usage && normal
        ? en
          ? `${usage}${unit} a day, against your normal ${normal}${unit}`
          : `${usage}${unit} por día; lo normal es ${normal}${unit}`
        : null;
    return en
      ? {
          subject: `High ${service ?? ''} use on your account`.replace('  ', ' '),
          lines: [
            `Your ${service ?? ''} use is higher than normal${figures ? `: ${figures}` : ''}.`.replace(
              '  ',
              ' ',
            ),
            'A leak or an appliance left running can cause this. Check for leaks, or call us.',
          ],
          sms: `High ${service ?? ''} use${figures ? `: ${figures}` : ''}. Check for leaks. ${c.publicUrl}/portal`.replace(
            '  ',
            ' ',
          ),
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: `Consumo alto de ${service ? (svcEs[service] ?? service) : 'servicio'}`,
          lines: [
            `Su consumo de ${service ? (svcEs[service] ?? service) : 'servicio'} es más alto de lo normal${figures ? `: ${figures}` : ''}.`,
            'Una fuga o un aparato encendido pueden causarlo. Revise si hay fugas o llámenos.',
          ],
          sms: `Consumo alto de ${service ? (svcEs[service] ?? service) : 'servicio'}${figures ? `: ${figures}` : ''}. Revise si hay fugas. ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        };
  },
  leak_suspected: (d, c, en) => {
    // figures from the leak check (domain/leak.ts): hours of continuous flow, or last night's lowest hour
    const since = formatDate(d.since, en ? 'en' : 'es');
    const hours = typeof d.hours === 'number' && d.hours > 0 ? d.hours : null;
    const lowest = num(d.nightLowest);
    const normal = num(d.nightNormal);
    const evidence =
      d.kind === 'continuous' && hours
        ? en
          ? `water ran every hour for ${d.atLeast ? 'at least ' : ''}${hours} hours`
          : `el agua corrió todas las horas durante ${d.atLeast ? 'al menos ' : ''}${hours} horas`
        : lowest
          ? en
            ? `water ran all night, at least ${lowest} gal an hour${normal ? ` (your normal is ${normal})` : ''}`
            : `el agua corrió toda la noche, al menos ${lowest} gal por hora${normal ? ` (lo normal es ${normal})` : ''}`
          : null;
    return en
      ? {
          subject: 'Possible water leak at your home',
          lines: [
            `Your meter shows a possible leak${since ? ` since ${since}` : ''}${evidence ? `: ${evidence}` : ''}.`,
            'Check toilets, faucets, irrigation and outdoor taps. A running toilet can waste 200 gallons a day.',
          ],
          sms: `Possible water leak${since ? ` since ${since}` : ''}${evidence ? `: ${evidence}` : ''}. Check toilets and taps. ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: 'Posible fuga de agua en su casa',
          lines: [
            `Su medidor muestra una posible fuga${since ? ` desde el ${since}` : ''}${evidence ? `: ${evidence}` : ''}.`,
            'Revise inodoros, grifos, riego y llaves exteriores. Un inodoro que gotea puede gastar 200 galones al día.',
          ],
          sms: `Posible fuga de agua${since ? ` desde el ${since}` : ''}${evidence ? `: ${evidence}` : ''}. Revise inodoros y grifos. ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        };
  },
  outage: (d, _c, en) => {
    const message =
      str(d.message) ??
      (en ? 'There is a service outage in your area.' : 'Hay una interrupción del servicio en su zona.');
    return en
      ? { subject: 'Service alert for your area', lines: [message], sms: `Service alert: ${message}` }
      : { subject: 'Aviso de servicio en su zona', lines: [message], sms: `Aviso de servicio: ${message}` };
  },
  dispute_status: (d, _c, en) => {
    const credit = money(d.creditCents);
    const resolution = str(d.resolution);
    return en
      ? {
          subject: 'Update on your bill dispute',
          lines: [
            `Your bill dispute is ${status(d.status, true)}.`,
            ...(resolution ? [`Outcome: ${resolution}.`] : []),
            ...(credit ? [`A credit of ${credit} was applied to your account.`] : []),
          ],
          sms: `Your bill dispute is ${status(d.status, true)}.${credit ? ` Credit applied: ${credit}.` : ''}`,
        }
      : {
          subject: 'Novedades sobre su reclamo de factura',
          lines: [
            `Su reclamo de factura está ${status(d.status, false)}.`,
            ...(resolution ? [`Resultado: ${resolution}.`] : []),
            ...(credit ? [`Se aplicó un crédito de ${credit} a su cuenta.`] : []),
          ],
          sms: `Su reclamo de factura está ${status(d.status, false)}.${credit ? ` Crédito aplicado: ${credit}.` : ''}`,
        };
  },
  service_request_status: (d, _c, en) => {
    const kind = str(d.kind)?.replaceAll('_', ' ');
    return en
      ? {
          subject: 'Update on your service request',
          lines: [`Your ${kind ? `${kind} ` : ''}service request is ${status(d.status, true)}.`],
          sms: `Your ${kind ? `${kind} ` : ''}service request is ${status(d.status, true)}.`,
        }
      : {
          subject: 'Novedades sobre su solicitud de servicio',
          lines: [`Su solicitud de servicio${kind ? ` (${kind})` : ''} está ${status(d.status, false)}.`],
          sms: `Su solicitud de servicio${kind ? ` (${kind})` : ''} está ${status(d.status, false)}.`,
        };
  },
  paperless_enrolled: (d, _c, en) => {
    const on = d.enabled !== false;
    return en
      ? on
        ? {
            subject: 'You are enrolled in paperless billing',
            lines: [
              'You are now enrolled in paperless billing.',
              'We will email you when each bill is ready, with a link to view it.',
            ],
            sms: 'You are enrolled in paperless billing. We will email you when each bill is ready.',
          }
        : {
            subject: 'Paperless billing turned off',
            lines: ['Paperless billing is turned off. Your bills will come by mail.'],
            sms: 'Paperless billing is off. Your bills will come by mail.',
          }
      : on
        ? {
            subject: 'Ya tiene la factura electrónica',
            lines: [
              'Ya está inscrito en la factura electrónica.',
              'Le enviaremos un correo cuando cada factura esté lista, con un enlace para verla.',
            ],
            sms: 'Ya tiene la factura electrónica. Le avisaremos por correo cuando cada factura esté lista.',
          }
        : {
            subject: 'Factura electrónica desactivada',
            lines: ['La factura electrónica está desactivada. Recibirá sus facturas por correo postal.'],
            sms: 'Factura electrónica desactivada. Recibirá sus facturas por correo postal.',
          };
  },
  collection_notice: (d, c, en) => {
    const amount = money(d.amountCents) ?? (en ? 'your balance' : 'su saldo');
    const due = formatDate(d.dueDate, c.language);
    const off = formatDate(d.disconnectOn, c.language);
    const fee = money(d.feeCents);
    const stage = str(d.stage) ?? 'past_due';
    const portal = `${c.publicUrl}/portal`;
    const E: Record<string, Parts> = {
      past_due: {
        subject: 'Your account is past due',
        lines: [
          `Your account is past due. ${amount} is owed${due ? `; it was due ${due}` : ''}.`,
          'Please pay or call us to set up a payment arrangement.',
        ],
        sms: `Your account is past due: ${amount}. Pay or call us about a payment plan. ${portal}`,
      },
      late_fee: {
        subject: 'A late fee was added',
        lines: [`A late fee${fee ? ` of ${fee}` : ''} was added to your account. ${amount} is now owed.`],
        sms: `A late fee${fee ? ` of ${fee}` : ''} was added. You now owe ${amount}. ${portal}`,
      },
      final_notice: {
        subject: 'Final notice before disconnection',
        lines: [
          `Final notice: ${amount} is past due.`,
          `Service may be disconnected${off ? ` on or after ${off}` : ''} unless it is paid or a payment arrangement is made.`,
          'Please call us if you need help.',
        ],
        sms: `FINAL NOTICE: ${amount} past due. Service may be shut off${off ? ` on ${off}` : ''}. Pay or call us. ${portal}`,
      },
      disconnect_scheduled: {
        subject: 'Disconnection scheduled',
        lines: [
          `Your service is scheduled to be disconnected${off ? ` on ${off}` : ''} for an unpaid balance of ${amount}.`,
          'Pay or call us today to prevent it.',
        ],
        sms: `Service shut-off scheduled${off ? ` ${off}` : ''} for ${amount} unpaid. Pay or call us today. ${portal}`,
      },
      disconnected: {
        subject: 'Your service was disconnected',
        lines: [
          `Your service was disconnected for an unpaid balance of ${amount}.`,
          'Pay or call us to have it reconnected.',
        ],
        sms: `Your service was disconnected for ${amount} unpaid. Pay or call us to reconnect. ${portal}`,
      },
      reconnected: {
        subject: 'Your service is reconnected',
        lines: ['Your service has been reconnected. Thank you.'],
        sms: 'Your service has been reconnected. Thank you.',
      },
    };
    const S: Record<string, Parts> = {
      past_due: {
        subject: 'Su cuenta está vencida',
        lines: [
          `Su cuenta está vencida. Debe ${amount}${due ? `; vencía el ${due}` : ''}.`,
          'Pague o llámenos para acordar un plan de pagos.',
        ],
        sms: `Su cuenta está vencida: ${amount}. Pague o llámenos para un plan de pagos. ${portal}`,
      },
      late_fee: {
        subject: 'Se agregó un cargo por mora',
        lines: [`Se agregó un cargo por mora${fee ? ` de ${fee}` : ''} a su cuenta. Ahora debe ${amount}.`],
        sms: `Se agregó un cargo por mora${fee ? ` de ${fee}` : ''}. Ahora debe ${amount}. ${portal}`,
      },
      final_notice: {
        subject: 'Aviso final antes del corte',
        lines: [
          `Aviso final: ${amount} está vencido.`,
          `El servicio puede ser cortado${off ? ` a partir del ${off}` : ''} si no paga o acuerda un plan de pagos.`,
          'Llámenos si necesita ayuda.',
        ],
        sms: `AVISO FINAL: ${amount} vencido. Pueden cortar el servicio${off ? ` el ${off}` : ''}. Pague o llámenos. ${portal}`,
      },
      disconnect_scheduled: {
        subject: 'Corte de servicio programado',
        lines: [
          `El corte de su servicio está programado${off ? ` para el ${off}` : ''} por un saldo impago de ${amount}.`,
          'Pague o llámenos hoy para evitarlo.',
        ],
        sms: `Corte programado${off ? ` el ${off}` : ''} por ${amount} impago. Pague o llámenos hoy. ${portal}`,
      },
      disconnected: {
        subject: 'Su servicio fue cortado',
        lines: [
          `Su servicio fue cortado por un saldo impago de ${amount}.`,
          'Pague o llámenos para reconectarlo.',
        ],
        sms: `Su servicio fue cortado por ${amount} impago. Pague o llámenos para reconectar. ${portal}`,
      },
      reconnected: {
        subject: 'Su servicio fue reconectado',
        lines: ['Su servicio fue reconectado. Gracias.'],
        sms: 'Su servicio fue reconectado. Gracias.',
      },
    };
    return (en ? E : S)[stage] ?? (en ? E : S).past_due!;
  },
  arrangement_status: (d, c, en) => {
    const inst = money(d.installmentCents);
    const next = formatDate(d.nextDueDate, c.language);
    return en
      ? {
          subject: 'Your payment arrangement',
          lines: [
            `Your payment arrangement is ${status(d.status, true)}.`,
            ...(inst && next ? [`Next installment: ${inst}, due ${next}.`] : []),
          ],
          sms: `Your payment arrangement is ${status(d.status, true)}.${inst && next ? ` Next: ${inst} due ${next}.` : ''}`,
        }
      : {
          subject: 'Su plan de pagos',
          lines: [
            `Su plan de pagos está ${status(d.status, false)}.`,
            ...(inst && next ? [`Próxima cuota: ${inst}, vence el ${next}.`] : []),
          ],
          sms: `Su plan de pagos está ${status(d.status, false)}.${inst && next ? ` Próxima cuota: ${inst}, vence el ${next}.` : ''}`,
        };
  },
  contact_verification: (d, _c, en) => {
    const code = str(d.code) ?? '';
    const link = str(d.link);
    return en
      ? {
          subject: 'Confirm your email address',
          lines: [
            'Please confirm this email address for account notices.',
            ...(link ? [] : [`Your code: ${code}`]),
            'If you did not ask for this, ignore this message.',
          ],
          sms: `Your verification code is ${code}. If you did not ask for it, ignore this message.`,
          link,
          linkLabel: 'Confirm it here',
        }
      : {
          subject: 'Confirme su correo electrónico',
          lines: [
            'Confirme este correo electrónico para recibir avisos de su cuenta.',
            ...(link ? [] : [`Su código: ${code}`]),
            'Si no lo pidió, ignore este mensaje.',
          ],
          sms: `Su código de verificación es ${code}. Si no lo pidió, ignore este mensaje.`,
          link,
          linkLabel: 'Confírmelo aquí',
        };
  },
  login_linked: (d, c, en) => {
    const who = str(d.loginEmail);
    return en
      ? {
          subject: 'A new login was linked to your account',
          lines: [
            `A portal login${who ? ` (${who})` : ''} was just linked to your account and can now see it.`,
            'If this was not you or someone you trust, sign in to remove it, or call us.',
          ],
          sms: `A new portal login${who ? ` (${who})` : ''} was linked to your account. Not you? Call us or remove it at ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: 'Se vinculó un nuevo acceso a su cuenta',
          lines: [
            `Se vinculó un acceso al portal${who ? ` (${who})` : ''} a su cuenta y ahora puede verla.`,
            'Si no fue usted ni alguien de su confianza, ingrese para quitarlo o llámenos.',
          ],
          sms: `Se vinculó un nuevo acceso${who ? ` (${who})` : ''} a su cuenta. ¿No fue usted? Llámenos o quítelo en ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        };
  },
  login_email_verification: (d, c, en) => {
    const link = str(d.link) ?? `${c.publicUrl}/portal`;
    return en
      ? {
          subject: 'Confirm your email to finish your login',
          lines: [
            'Please confirm this email address to start using your portal login.',
            'If you did not ask for a login, ignore this message.',
          ],
          sms: `Confirm your email: ${link}`,
          link,
          linkLabel: 'Confirm it here',
        }
      : {
          subject: 'Confirme su correo para terminar su acceso',
          lines: [
            'Confirme este correo electrónico para empezar a usar su acceso al portal.',
            'Si no pidió un acceso, ignore este mensaje.',
          ],
          sms: `Confirme su correo: ${link}`,
          link,
          linkLabel: 'Confírmelo aquí',
        };
  },
  // staff are invited in English: the console is in English
  staff_invitation: (d, c) => {
    const link = str(d.link) ?? `${c.publicUrl}/staff`;
    const role = str(d.role)?.replace('_', ' ') ?? 'staff';
    return {
      subject: 'You are invited to the staff console',
      lines: [
        `You have been invited to the utility's staff console as ${role}.`,
        'Use the link to set your password. It works once, and expires in 3 days.',
      ],
      sms: `Set your staff console password: ${link}`,
      link,
      linkLabel: 'Set your password here',
    };
  },
  password_reset: (d, c, en) => {
    const link = str(d.link) ?? `${c.publicUrl}/portal`;
    const minutes = num(d.minutes) ?? '30';
    return en
      ? {
          subject: 'Reset your portal password',
          lines: [
            `Someone asked to reset the password of this portal login. The link works once, for ${minutes} minutes.`,
            'If you did not ask, ignore this message: your password stays as it is.',
          ],
          sms: `Reset your password: ${link}`,
          link,
          linkLabel: 'Choose a new password here',
        }
      : {
          subject: 'Restablezca su contraseña del portal',
          lines: [
            `Alguien pidió restablecer la contraseña de este acceso al portal. El enlace sirve una vez, durante ${minutes} minutos.`,
            'Si no lo pidió, ignore este mensaje: su contraseña no cambia.',
          ],
          sms: `Restablezca su contraseña: ${link}`,
          link,
          linkLabel: 'Elija una nueva contraseña aquí',
        };
  },
  login_email_change: (d, c, en) => {
    const link = str(d.link) ?? `${c.publicUrl}/portal`;
    const minutes = num(d.minutes) ?? '30';
    return en
      ? {
          subject: 'Confirm your new sign-in email',
          lines: [
            `Someone asked to sign in to a portal login with this email from now on. The link works once, for ${minutes} minutes.`,
            'If you did not ask, ignore this message: nothing changes.',
          ],
          sms: `Confirm your new sign-in email: ${link}`,
          link,
          linkLabel: 'Confirm it here',
        }
      : {
          subject: 'Confirme su nuevo correo de acceso',
          lines: [
            `Alguien pidió usar este correo para entrar a un acceso al portal. El enlace sirve una vez, durante ${minutes} minutos.`,
            'Si no lo pidió, ignore este mensaje: nada cambia.',
          ],
          sms: `Confirme su nuevo correo de acceso: ${link}`,
          link,
          linkLabel: 'Confírmelo aquí',
        };
  },
  login_email_change_notice: (d, c, en) => {
    const to = str(d.newEmail);
    return en
      ? {
          subject: 'Your sign-in email is being changed',
          lines: [
            `Someone signed in to your portal login asked to sign in with ${to ?? 'another email'} instead of this address. It changes once that address confirms it.`,
            'If this was not you, sign in and change your password, or call us.',
          ],
          sms: `Your portal sign-in email is being changed. Not you? Call us or visit ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: 'Se está cambiando su correo de acceso',
          lines: [
            `Alguien con acceso a su cuenta del portal pidió entrar con ${to ?? 'otro correo'} en lugar de este. El cambio ocurre cuando ese correo lo confirme.`,
            'Si no fue usted, ingrese y cambie su contraseña, o llámenos.',
          ],
          sms: `Se está cambiando su correo de acceso al portal. ¿No fue usted? Llámenos o visite ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        };
  },
  signup_email_in_use: (_d, c, en) =>
    en
      ? {
          subject: 'Someone tried to create a login with your email',
          lines: [
            'Someone tried to create a new portal login with this email address, which already has one.',
            'If it was you, sign in with your password instead. If not, you can ignore this message.',
          ],
          sms: `This email already has a portal login. Sign in at ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: 'Alguien intentó crear un acceso con su correo',
          lines: [
            'Alguien intentó crear un nuevo acceso al portal con este correo, que ya tiene uno.',
            'Si fue usted, ingrese con su contraseña. Si no, puede ignorar este mensaje.',
          ],
          sms: `Este correo ya tiene acceso al portal. Ingrese en ${c.publicUrl}/portal`,
          link: `${c.publicUrl}/portal`,
        },
  subscriptions_changed: (_d, c, en) =>
    en
      ? {
          subject: 'Your notification choices were updated',
          lines: [
            'Your choices for account notices were updated.',
            'If you did not make this change, please call us.',
          ],
          sms: 'Your notice choices were updated. If you did not do this, call us.',
          link: `${c.publicUrl}/portal`,
        }
      : {
          subject: 'Sus preferencias de avisos cambiaron',
          lines: [
            'Se actualizaron sus preferencias de avisos de la cuenta.',
            'Si usted no hizo este cambio, llámenos.',
          ],
          sms: 'Sus preferencias de avisos cambiaron. Si no fue usted, llámenos.',
          link: `${c.publicUrl}/portal`,
        },
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** Longest SMS we send: two segments. Over that, accents GSM-7 lacks are dropped, then the text is cut. */
export const MAX_SMS_SEGMENTS = 2;

export function fitSms(text: string): { text: string; encoding: SmsEncoding; segments: number } {
  let t = text;
  let c = countSegments(t);
  if (c.segments > MAX_SMS_SEGMENTS) {
    t = toGsm7(t);
    c = countSegments(t);
  }
  if (c.segments > MAX_SMS_SEGMENTS) {
    let cut = t;
    do {
      cut = cut.slice(0, -5).trimEnd();
      c = countSegments(`${cut}...`);
    } while (c.segments > MAX_SMS_SEGMENTS && cut.length > 0);
    t = `${cut}...`;
  }
  return { text: t, encoding: c.encoding, segments: c.segments };
}

export function render(alert: string, data: TemplateData, ctx: RenderContext): Rendered {
  const en = ctx.language !== 'es';
  const t = (TEMPLATES as Record<string, T | undefined>)[alert];
  const p: Parts = t
    ? t(data, ctx, en)
    : {
        subject: en ? 'A notice about your account' : 'Un aviso sobre su cuenta',
        lines: [
          en
            ? 'There is news about your account. Please sign in to see it.'
            : 'Hay novedades en su cuenta. Ingrese para verlas.',
        ],
        sms: en
          ? `There is news about your account: ${ctx.publicUrl}/portal`
          : `Hay novedades en su cuenta: ${ctx.publicUrl}/portal`,
      };
  const acct = ctx.accountNumber ? ctx.accountNumber.slice(-4) : '';
  const footer = en
    ? `Account ending ${acct}. To change which notices you get, sign in at ${ctx.publicUrl}/portal.`
    : `Cuenta que termina en ${acct}. Para cambiar sus avisos, ingrese en ${ctx.publicUrl}/portal.`;
  const portal = p.link?.endsWith('/portal');
  const label =
    p.linkLabel ?? (portal ? (en ? 'Sign in here' : 'Ingrese aquí') : en ? 'View it here' : 'Véala aquí');
  const linkLine = p.link ? `${label}: ${p.link}` : null;
  const u = ctx.utility;
  const signature = u ? `${u.name}${u.phone ? ` · ${u.phone}` : ''}` : null;
  const paragraphs = [...p.lines, ...(linkLine ? [linkLine] : []), ...(signature ? [signature] : []), footer];
  const text = paragraphs.join('\n\n');
  const html = `<!doctype html><html lang="${en ? 'en' : 'es'}"><head><meta charset="utf-8"><title>${escapeHtml(p.subject)}</title></head><body>${paragraphs
    .map((l) =>
      l === linkLine && p.link
        ? `<p>${escapeHtml(`${label}: `)}<a href="${escapeHtml(p.link)}">${escapeHtml(p.link)}</a></p>`
        : `<p>${escapeHtml(l)}</p>`,
    )
    .join('')}</body></html>`;
  const sms = fitSms(p.sms);
  return {
    subject: p.subject,
    text,
    html,
    sms: sms.text,
    smsEncoding: sms.encoding,
    smsSegments: sms.segments,
  };
}
