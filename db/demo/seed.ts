// Demo data that looks like a small utility: customers, premises, water/sewer/electric/trash services,
// 24 months of AMI reads with seasons and a few anomalies, bills rated by the real domain code, and payments.
// Deterministic for a given seed; loaded in one transaction (all or nothing); skipped if accounts exist.

import { calculateBill } from '../../domain/bill-calc.js';
import { withCheckDigit } from '../../domain/check-digit.js';
import { type Dec, dec, decToString, divRoundHalfUp } from '../../domain/decimal.js';
import { billEntry, paymentEntry } from '../../domain/ledger.js';
import { addDays, monthlyPeriod } from '../../domain/period.js';
import { parseTariff, type Tariff } from '../../domain/tariff.js';
import { newId } from '../../lib/ids.js';
import { hashPassword } from '../../lib/passwords.js';
import { seededRandom } from '../../lib/random.js';
import { DEFAULT_DUE_DAYS } from '../../workflows/contracts/billing-cycle.js';
import { billEntryKey } from '../billing.js';
import { insertMany } from '../bulk.js';
import type { Sql } from '../client.js';

const FIRST = [
  'Maria',
  'James',
  'Linda',
  'Robert',
  'Ana',
  'Wei',
  'Fatima',
  'David',
  'Sofia',
  'Michael',
  'Priya',
  'Jose',
  'Emily',
  'Kwame',
  'Olga',
  'Daniel',
  'Aiko',
  'Luis',
  'Grace',
  'Omar',
];
const LAST = [
  'Garcia',
  'Smith',
  'Nguyen',
  'Johnson',
  'Martinez',
  'Brown',
  'Chen',
  'Davis',
  'Lopez',
  'Wilson',
  'Patel',
  'Anderson',
  'Hernandez',
  'Moore',
  'Kim',
  'Taylor',
  'Okafor',
  'Rossi',
  'Clark',
  'Silva',
];
const STREETS = [
  'Oak',
  'Maple',
  'Cedar',
  'Pine',
  'Elm',
  'Willow',
  'River',
  'Hill',
  'Lake',
  'Sunset',
  'Mill',
  'Church',
  'Park',
  'Ridge',
  'Meadow',
];
const KINDS = ['St', 'Ave', 'Rd', 'Ln', 'Dr', 'Ct', 'Way'];

export const DEMO_PASSWORD = 'cisflow-demo';
export const DEMO_USERS = [
  { email: 'admin@cisflow.local', displayName: 'Alex Admin', role: 'admin' },
  { email: 'supervisor@cisflow.local', displayName: 'Sam Supervisor', role: 'supervisor' },
  { email: 'billing@cisflow.local', displayName: 'Bea Billing', role: 'billing_admin' },
  { email: 'csr@cisflow.local', displayName: 'Casey CSR', role: 'csr' },
] as const;
export const DEMO_CUSTOMER_EMAIL = 'customer@cisflow.local';

const SUMMER = { name: 'summer', months: [6, 7, 8, 9] };
const WINTER = { name: 'winter', months: [1, 2, 3, 4, 5, 10, 11, 12] };
export const DEMO_TARIFFS: Record<string, { code: string; name: string; service: string; tariff: Tariff }> =
  Object.fromEntries(
    [
      {
        code: 'W-RES',
        name: 'Residential water, inclining blocks',
        service: 'water',
        tariff: {
          schema: 'cisflow.tariff/1',
          name: 'Residential water',
          service: 'water',
          unit: 'ccf',
          components: [
            {
              type: 'fixed',
              name: 'Water base charge',
              byMeterSize: { '5/8"': '18.40', '3/4"': '21.15', '1"': '30.11' },
            },
            {
              type: 'volumetric',
              name: 'Water',
              tiers: [
                { from: '0', price: '3.10' },
                { from: '8', price: '3.62' },
                { from: '20', price: '4.85' },
              ],
            },
          ],
        },
      },
      {
        code: 'S-RES',
        name: 'Residential sewer, on winter-average water use',
        service: 'sewer',
        tariff: {
          schema: 'cisflow.tariff/1',
          name: 'Residential sewer',
          service: 'sewer',
          unit: 'ccf',
          components: [
            { type: 'fixed', name: 'Sewer base charge', amount: '24.10' },
            {
              type: 'volumetric',
              name: 'Sewer',
              basis: 'winter_average',
              tiers: [{ from: '0', price: '2.95' }],
            },
          ],
        },
      },
      {
        code: 'E-RES',
        name: 'Residential electric, seasonal',
        service: 'electric',
        tariff: {
          schema: 'cisflow.tariff/1',
          name: 'Residential electric',
          service: 'electric',
          unit: 'kWh',
          seasons: [SUMMER, WINTER],
          components: [
            { type: 'fixed', name: 'Basic charge', amount: '12.00' },
            {
              type: 'volumetric',
              name: 'Energy (summer)',
              season: 'summer',
              tiers: [
                { from: '0', price: '0.1142' },
                { from: '800', price: '0.1398' },
              ],
            },
            {
              type: 'volumetric',
              name: 'Energy (winter)',
              season: 'winter',
              tiers: [{ from: '0', price: '0.1065' }],
            },
            { type: 'tax', name: 'City utility tax', percent: '3', exemptFlag: 'tax_exempt' },
          ],
        },
      },
      {
        code: 'T-RES',
        name: 'Residential trash, 64 gal cart',
        service: 'trash',
        tariff: {
          schema: 'cisflow.tariff/1',
          name: 'Residential trash',
          service: 'trash',
          unit: 'cart',
          components: [{ type: 'fixed', name: 'Trash, 64 gal cart', amount: '28.75' }],
        },
      },
    ].map((t) => [t.service, { ...t, tariff: parseTariff(t.tariff) }]),
  );

const TABLES = [
  'customer',
  'premise',
  'account',
  'service_point',
  'meter',
  'meter_installation',
  'service_agreement',
  'meter_read',
  'bill',
  'bill_segment',
  'bill_line',
  'journal_entry',
  'posting',
  'payment',
];

export interface SeedResult {
  seeded: boolean;
  accounts: number;
  reads: number;
  bills: number;
  payments: number;
  customerLogin?: { email: string; accountNumber: string };
}

export async function seedDemo(
  sql: Sql,
  o: {
    accounts: number;
    seed?: number;
    today?: string;
    /** months of reads ending last month (default 24) */
    months?: number;
    /** how many of those months are already billed (default all); the rest wait for a bill run */
    billedMonths?: number;
    /** billing cycles the accounts are spread over (default 20) */
    cycles?: number;
    log?: (m: string) => void;
  },
): Promise<SeedResult> {
  const [{ n }] = (await sql<{ n: number }[]>`select count(*)::int as n from account`) as unknown as [
    { n: number },
  ];
  if (n > 0) return { seeded: false, accounts: n, reads: 0, bills: 0, payments: 0 };
  o.log?.(`loading a demo utility of ${o.accounts} accounts (first start only)`);
  const rand = seededRandom(o.seed ?? 42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const today = o.today ?? new Date().toISOString().slice(0, 10);
  // closed monthly periods ending with last month; reads on the 1st of each month bound them.
  const months = o.months ?? 24;
  const billedMonths = Math.min(o.billedMonths ?? months, months);
  const cycles = o.cycles ?? 20;
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  const periods = Array.from({ length: months }, (_, i) => {
    const d = new Date(Date.UTC(ty, tm - 1 - months + i, 1));
    return monthlyPeriod(d.toISOString().slice(0, 7));
  });
  const readDays = [...periods.map((p) => p.start), addDays(periods[months - 1]!.end, 1)];
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  const R: Record<string, Record<string, unknown>[]> = {
    customer: [],
    premise: [],
    account: [],
    service_point: [],
    meter: [],
    meter_installation: [],
    service_agreement: [],
    meter_read: [],
    bill: [],
    bill_segment: [],
    bill_line: [],
    journal_entry: [],
    posting: [],
    payment: [],
  };
  const rateIds: Record<string, { rs: string; rv: string }> = {};
  const rateRows = Object.entries(DEMO_TARIFFS).map(([k, t]) => {
    rateIds[k] = { rs: newId('rs'), rv: newId('rv') };
    return t;
  });
  const rateFacts = Object.fromEntries(
    Object.entries(DEMO_TARIFFS).map(([k, t]) => [
      k,
      { id: rateIds[k]!.rv, scheduleCode: t.code, effectiveFrom: '2020-01-01', tariff: t.tariff },
    ]),
  );
  const ledgerAccounts = new Set<string>();
  const entry = (e: ReturnType<typeof paymentEntry>, extra: { billId?: string }) => {
    const id = newId('je');
    R.journal_entry!.push({
      id,
      idempotency_key: e.idempotencyKey,
      kind: e.kind,
      account_id: e.accountId,
      effective_on: e.effectiveOn,
      description: e.description,
      bill_id: extra.billId ?? null,
    });
    for (const p of e.postings) {
      ledgerAccounts.add(p.ledgerAccount);
      R.posting!.push({
        journal_entry_id: id,
        ledger_account_id: p.ledgerAccount,
        amount_cents: p.amountCents,
      });
    }
    return id;
  };

  let firstAccount = '';
  const counts = { reads: 0, bills: 0, payments: 0 };
  await sql.begin(async (tx) => {
    await insertMany(
      tx,
      'rate_schedule',
      rateRows.map((t) => ({
        id: rateIds[t.service]!.rs,
        code: t.code,
        name: t.name,
        service_type: t.service,
      })),
    );
    await insertMany(
      tx,
      'rate_version',
      rateRows.map((t) => ({
        id: rateIds[t.service]!.rv,
        rate_schedule_id: rateIds[t.service]!.rs,
        effective_from: '2020-01-01',
        tariff: t.tariff,
      })),
    );
    // Rows are flushed every 500 accounts, so memory stays flat up to 100,000 accounts; still one transaction.
    const flush = async () => {
      counts.reads += R.meter_read!.length;
      counts.bills += R.bill!.length;
      counts.payments += R.payment!.length;
      for (const table of TABLES) {
        if (table === 'journal_entry') {
          // after accounts (a receivable names its account), before postings (which name the receivable)
          const ledgerRows = [...ledgerAccounts].map((id) => ({
            id,
            kind:
              id.startsWith('ar:') || id === 'cash_clearing'
                ? 'asset'
                : id.startsWith('revenue:')
                  ? 'revenue'
                  : 'liability',
            name: id.startsWith('ar:') ? 'Accounts receivable' : id,
            account_id: id.startsWith('ar:') ? id.slice(3) : null,
          }));
          if (ledgerRows.length)
            await tx`insert into ledger_account ${tx(ledgerRows as never)} on conflict (id) do nothing`;
          ledgerAccounts.clear();
        }
        await insertMany(tx, table, R[table]!, table === 'posting' ? 'journal_entry_id' : undefined);
        R[table] = [];
      }
    };
    for (let i = 0; i < o.accounts; i++) {
      const custId = newId('cust');
      const first = pick(FIRST);
      const last = pick(LAST);
      R.customer!.push({
        id: custId,
        kind: 'person',
        name: `${first} ${last}`,
        email: `${first}.${last}.${i}@example.com`.toLowerCase(),
        phone: `+1541555${String(i % 10000).padStart(4, '0')}`,
        language: rand() < 0.18 ? 'es' : 'en',
      });
      const cycle = String((i % cycles) + 1).padStart(2, '0');
      const premId = newId('prem');
      R.premise!.push({
        id: premId,
        address_line1: `${100 + Math.floor(rand() * 9800)} ${pick(STREETS)} ${pick(KINDS)}`,
        address_line2: null,
        city: 'Riverton',
        state: 'OR',
        postal_code: `974${String(10 + (i % 80)).padStart(2, '0')}`,
        route: `R${cycle}`,
      });
      const acctId = newId('acct');
      const accountNumber = withCheckDigit(String(100000001 + i));
      if (i === 0) firstAccount = accountNumber;
      R.account!.push({
        id: acctId,
        account_number: accountNumber,
        customer_id: custId,
        customer_class: 'residential',
        billing_cycle: cycle,
        paperless: rand() < 0.35,
        status: 'active',
        opened_on: '2020-01-01',
      });

      const services: string[] = ['water', 'sewer'];
      if (rand() < 0.45) services.push('electric');
      if (rand() < 0.7) services.push('trash');
      // per-account usage profile, with a few anomalies for validation to find later
      const waterBase = 3 + rand() * 9;
      const elecBase = 350 + rand() * 650;
      const spikeMonth = rand() < 0.02 ? Math.floor(rand() * months) : -1;
      const zeroMonth = rand() < 0.01 ? Math.floor(rand() * months) : -1;
      const latePayer = rand() < 0.12;
      const taxExempt = rand() < 0.03;
      const waterSize = rand() < 0.85 ? '5/8"' : rand() < 0.7 ? '3/4"' : '1"';
      const waterUse: { m: number; month: number; q: Dec }[] = [];

      const segs: {
        saId: string;
        service: string;
        meter: { id: string; dialCount: number; multiplier: string; size: string | null } | null;
        reads: { id: string; value: string; readAt: string; source: 'ami' }[];
      }[] = [];
      for (const service of services) {
        const spId = newId('sp');
        R.service_point!.push({ id: spId, premise_id: premId, service_type: service });
        const saId = newId('sa');
        R.service_agreement!.push({
          id: saId,
          account_id: acctId,
          service_point_id: spId,
          service_type: service,
          rate_schedule_id: rateIds[service]!.rs,
          status: 'active',
          start_date: '2020-01-01',
        });
        if (service !== 'water' && service !== 'electric') {
          segs.push({ saId, service, meter: null, reads: [] });
          continue;
        }
        const meterId = newId('mtr');
        const dialCount = service === 'water' ? 6 : 5;
        R.meter!.push({
          id: meterId,
          serial_number: `${service === 'water' ? 'W' : 'E'}${String(70000000 + i)}`,
          kind: service,
          unit: service === 'water' ? 'ccf' : 'kWh',
          dial_count: dialCount,
          multiplier: '1',
          size: service === 'water' ? waterSize : null,
        });
        R.meter_installation!.push({
          id: newId('inst'),
          meter_id: meterId,
          service_point_id: spId,
          installed_at: '2019-06-01T00:00:00Z',
          removed_at: null,
        });
        let value = Math.floor(rand() * 5000) * (service === 'water' ? 1 : 10);
        const reads = readDays.map((day, m) => {
          if (m > 0) {
            const month = Number(periods[m - 1]!.start.slice(5, 7));
            const season =
              service === 'water'
                ? 1 + 0.8 * Math.max(0, Math.sin(((month - 4) / 12) * 2 * Math.PI))
                : 1 +
                  0.35 * Math.cos(((month - 1) / 12) * 2 * Math.PI) +
                  0.25 * Math.max(0, Math.sin(((month - 5) / 12) * 2 * Math.PI));
            let use = (service === 'water' ? waterBase : elecBase) * season * (0.85 + rand() * 0.3);
            if (m - 1 === spikeMonth) use *= 6;
            if (m - 1 === zeroMonth) use = 0;
            value += service === 'water' ? Math.round(use * 100) / 100 : Math.round(use);
          }
          const id = newId('read');
          const readAt = `${day}T0${6 + Math.floor(rand() * 3)}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:00Z`;
          const shown = service === 'water' ? value.toFixed(2) : String(value);
          R.meter_read!.push({
            id,
            meter_id: meterId,
            read_at: readAt,
            value: shown,
            source: 'ami',
            quality: 'valid',
          });
          return { id, value: shown, readAt, source: 'ami' as const };
        });
        segs.push({
          saId,
          service,
          meter: { id: meterId, dialCount, multiplier: '1', size: service === 'water' ? waterSize : null },
          reads,
        });
      }

      for (let m = 0; m < billedMonths; m++) {
        const p = periods[m]!;
        const billId = newId('bill');
        const billDate = addDays(p.end, 3);
        // the same calculation the billing workflow runs, on facts shaped as the loader shapes them
        const winter = waterUse.filter((w) => w.m < m && w.m >= m - 12 && [12, 1, 2].includes(w.month));
        const winterAverage = winter.length
          ? decToString(
              divRoundHalfUp(
                winter.reduce((n, w) => n + w.q, 0n),
                BigInt(winter.length),
              ) as Dec,
            )
          : null;
        const { segments, holds } = calculateBill(
          {
            flags: taxExempt ? ['tax_exempt'] : [],
            winterAverage,
            segments: segs.map((s) => ({
              serviceAgreementId: s.saId,
              serviceType: s.service,
              status: 'active',
              serviceStart: '2020-01-01',
              meter: s.meter
                ? {
                    serialNumber: s.meter.id,
                    unit: DEMO_TARIFFS[s.service]!.tariff.unit,
                    dialCount: s.meter.dialCount,
                    multiplier: '1',
                    size: s.meter.size,
                  }
                : null,
              openingRead: s.reads[m] ?? null,
              closingRead: s.reads[m + 1] ?? null,
              rates: [rateFacts[s.service]!],
            })),
          },
          p,
        );
        if (holds.length) throw new Error(`demo data is inconsistent: ${holds[0]!.message}`);
        let total = 0;
        for (const seg of segments) {
          const segId = newId('seg');
          R.bill_segment!.push({
            id: segId,
            bill_id: billId,
            service_agreement_id: seg.serviceAgreementId,
            service_type: seg.serviceType,
            start_read_id: seg.startReadId,
            end_read_id: seg.endReadId,
            consumption: seg.consumption,
            unit: seg.unit,
            total_cents: seg.totalCents,
          });
          seg.lines.forEach((l, k) => {
            R.bill_line!.push({
              id: newId('line'),
              bill_segment_id: segId,
              seq: k + 1,
              description: l.description,
              quantity: /^\d+(\.\d+)?$/.test(l.quantity ?? '') ? l.quantity : null,
              unit: l.unit,
              unit_price: l.unitPrice,
              amount_cents: l.amountCents,
              rate_version_id: l.rateVersionId,
              trace: l.trace,
            });
          });
          if (seg.serviceType === 'water' && seg.consumption)
            waterUse.push({ m, month: Number(p.start.slice(5, 7)), q: dec(seg.consumption) });
          total += seg.totalCents;
        }
        const segTotals = segments;
        const workflowId = `demo/${accountNumber}/${p.key}`;
        R.bill!.push({
          id: billId,
          account_id: acctId,
          period: p.key,
          period_start: p.start,
          period_end: p.end,
          status: 'issued',
          bill_date: billDate,
          due_date: addDays(billDate, DEFAULT_DUE_DAYS),
          total_cents: total,
          workflow_id: workflowId,
        });
        const be = billEntry({
          idempotencyKey: billEntryKey(acctId, p.key),
          accountId: acctId,
          billDate,
          period: p.key,
          segments: segTotals,
        });
        if (be) entry(be as never, { billId });
        // Payments: most pay in full before the due date; late payers skip the latest bill or pay part.
        const isLatest = m === billedMonths - 1;
        if (isLatest && latePayer) continue;
        const paid = latePayer && rand() < 0.3 ? Math.round(total * 0.5) : total;
        if (paid <= 0) continue;
        const payDate = addDays(
          billDate,
          latePayer ? 25 + Math.floor(rand() * 10) : 5 + Math.floor(rand() * 14),
        );
        if (payDate > today) continue;
        const payId = newId('pay');
        const method = pick(['card', 'card', 'ach', 'ach', 'check', 'cash'] as const);
        const jeId = entry(
          paymentEntry({
            idempotencyKey: `demo/payment/${payId}`,
            accountId: acctId,
            amountCents: paid,
            receivedOn: payDate,
            description: `Payment (${method})`,
          }),
          {},
        );
        R.payment!.push({
          id: payId,
          account_id: acctId,
          amount_cents: paid,
          method,
          status: 'succeeded',
          received_at: `${payDate}T15:00:00Z`,
          journal_entry_id: jeId,
          external_ref: null,
        });
      }
      if ((i + 1) % 500 === 0) {
        await flush();
        o.log?.(`demo data: ${i + 1} of ${o.accounts} accounts`);
      }
    }
    await flush();
    // the demo utility already verified its customers' email addresses and mobile numbers (messaging only uses
    // verified contacts); the demo runs in outbox mode, so nothing leaves the machine
    await tx`insert into customer_contact (id, customer_id, kind, value, verified_at)
      select 'cc_demo_' || k.kind || '_' || c.id, c.id, k.kind, case k.kind when 'email' then c.email else c.phone end, now()
      from customer c cross join (values ('email'), ('sms')) k(kind)
      where case k.kind when 'email' then c.email else c.phone end is not null
      on conflict do nothing`;
    for (const u of DEMO_USERS) {
      await tx`insert into app_user (id, email, display_name, password_hash, kind, role) values (${newId('user')}, ${u.email}, ${u.displayName}, ${passwordHash}, 'staff', ${u.role})`;
    }
    if (o.accounts > 0) {
      const userId = newId('user');
      const [acct] = await tx<
        { id: string; customerId: string }[]
      >`select id, customer_id from account where account_number = ${firstAccount}`;
      await tx`insert into app_user (id, email, display_name, password_hash, kind, customer_id) values (${userId}, ${DEMO_CUSTOMER_EMAIL}, 'Demo Customer', ${passwordHash}, 'customer', ${acct!.customerId})`;
      await tx`insert into portal_account_access (user_id, account_id) values (${userId}, ${acct!.id})`;
    }
  });
  // fresh statistics, so the first bill run's queries are planned on the data that is really there
  await sql`analyze`;
  return {
    seeded: true,
    accounts: o.accounts,
    ...counts,
    customerLogin: o.accounts > 0 ? { email: DEMO_CUSTOMER_EMAIL, accountNumber: firstAccount } : undefined,
  };
}
