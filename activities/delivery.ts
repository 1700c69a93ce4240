// Bill delivery: paperless customers get a bill-ready email with a link to their bill; everyone else's bill
// joins the print batch for the cycle. Set-based, and idempotent per bill (message key, print-batch key).
// With no SendGrid keys the email is kept in the outbox (status "outbox") for staff to see; real sending
// through the providers arrives with the messaging capability.
import type { Sql } from '../db/client.js';
import { formatCents } from '../domain/decimal.js';
import { newId } from '../lib/ids.js';

const MONTHS = {
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  es: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
};

export function billReadyEmail(m: {
  language: string;
  period: string;
  totalCents: number;
  dueDate: string;
  link: string;
}) {
  const month = (lang: 'en' | 'es') =>
    `${MONTHS[lang][Number(m.period.slice(5, 7)) - 1]} ${m.period.slice(0, 4)}`;
  if (m.language === 'es') {
    return {
      subject: `Su factura de ${month('es')} está lista`,
      body: `Su factura de ${month('es')} está lista: ${formatCents(m.totalCents)}, vence el ${m.dueDate}.\nVéala aquí: ${m.link}`,
    };
  }
  return {
    subject: `Your ${month('en')} bill is ready`,
    body: `Your ${month('en')} bill is ready: ${formatCents(m.totalCents)}, due ${m.dueDate}.\nView it here: ${m.link}`,
  };
}

export function createDeliveryActivities(
  sql: Sql,
  opts: { publicUrl: string; emailProvider: 'sendgrid' | 'outbox' },
) {
  return {
    async deliverBills(a: {
      billIds: string[];
      batch: string;
    }): Promise<{ emailed: number; printed: number }> {
      if (!a.billIds.length) return { emailed: 0, printed: 0 };
      const bills = await sql<
        {
          id: string;
          accountId: string;
          period: string;
          totalCents: number;
          dueDate: string;
          paperless: boolean;
          email: string | null;
          language: string;
        }[]
      >`
        select b.id, b.account_id, b.period, b.total_cents, b.due_date::text, a.paperless, c.email, c.language
        from bill b join account a on a.id = b.account_id join customer c on c.id = a.customer_id
        where b.id = any(${a.billIds})`;
      // paperless without an email address cannot be emailed: it is printed rather than lost
      const email = bills.filter((b) => b.paperless && b.email);
      const print = bills.filter((b) => !(b.paperless && b.email));
      const messages = email.map((b) => {
        const m = billReadyEmail({
          language: b.language,
          period: b.period,
          totalCents: b.totalCents,
          dueDate: b.dueDate,
          link: `${opts.publicUrl}/bills/${b.id}/document`,
        });
        return {
          id: newId('msg'),
          idempotency_key: `bill-ready/${b.id}/email`,
          account_id: b.accountId,
          channel: 'email',
          to_address: b.email,
          template: 'bill_ready',
          subject: m.subject,
          body: m.body,
          provider: opts.emailProvider,
          status: opts.emailProvider === 'outbox' ? 'outbox' : 'queued',
        };
      });
      let emailed = 0;
      let printed = 0;
      if (messages.length) {
        emailed = (
          await sql`insert into outbound_message ${sql(messages as never)} on conflict (idempotency_key) do nothing returning id`
        ).length;
      }
      if (print.length) {
        printed = (
          await sql`insert into print_batch_item ${sql(print.map((b) => ({ bill_id: b.id, batch: a.batch })) as never)}
            on conflict (bill_id) do nothing returning bill_id`
        ).length;
      }
      return { emailed, printed };
    },
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
