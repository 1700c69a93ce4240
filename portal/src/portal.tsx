// The customer portal: sign in or link an account, see the balance live, usage, bills and payments, pay.
import type { Static } from '@sinclair/typebox';
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AutopayStatus } from '../../api/routes/autopay.schema';
import { BillExplanationView, ExplainBillButton } from './components/BillExplanation';
import { HelpPage, SiteFooter, UtilityBrand } from './components/help';
import { LeakBanner } from './components/LeakBanner';
import { PastDueBanner, usePastDue } from './components/PastDueBanner';
import { PaymentHistory } from './components/PaymentHistory';
import {
  AlertsPanel,
  DisputesPanel,
  GreenButtonPanel,
  LoginsPanel,
  PaperlessPanel,
  ServiceRequestsPanel,
} from './components/selfservice';
import { UsageChart } from './components/UsageChart';
import { UsageDrill } from './components/UsageDrill';
import {
  BillPdfLink,
  Card,
  EmptyState,
  ErrorNote,
  Money,
  num,
  Skeleton,
  SkipLink,
  Table,
} from './components/ui';
import { type AccountSummary, api, login, logout, type Me, type Usage } from './lib/api';
import { formatDate, formatMonth, type Key, setLang, t, useLang, word } from './lib/i18n';
import { useAccountEvents } from './lib/live';
import { formatCents, parseDollars } from './lib/money';
import { useUtility } from './lib/portal-config';
import { useHash, usePageTitle } from './lib/route';
import { MoveWizard } from './moves/move-wizard';
import { PayPanel } from './pay/pay-panel';
import { AutopayScreen } from './wallet/autopay';
import { ContactsScreen, VerifyContactLink } from './wallet/contacts';
import { PaymentMethodsScreen } from './wallet/payment-methods';

function App() {
  const lang = useLang();
  const hash = useHash();
  const utility = useUtility();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    api<Me>('/me').then(setMe, () => setMe(null));
  }, []);
  return (
    <>
      <SkipLink label={t('skip')} />
      <header>
        <UtilityBrand utility={utility} />
        <nav class="header-actions" aria-label={t('appTitle')}>
          <a href="#help" aria-current={hash === '#help' ? 'page' : undefined}>
            {t('help')}
          </a>
          <button
            type="button"
            class="link"
            onClick={() => setLang(lang === 'en' ? 'es' : 'en')}
            lang={lang === 'en' ? 'es' : 'en'}
          >
            {t('language')}
          </button>
          {me ? (
            <button type="button" class="link" onClick={() => void logout()}>
              {t('signOut')}
            </button>
          ) : null}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <VerifyContactLink />
        {hash === '#help' ? (
          <HelpPage utility={utility} />
        ) : hash.startsWith('#confirm-email=') ? (
          <ConfirmEmailChange token={decodeURIComponent(hash.slice('#confirm-email='.length))} />
        ) : hash.startsWith('#reset-password=') ? (
          <ResetPassword token={decodeURIComponent(hash.slice('#reset-password='.length))} />
        ) : me === undefined ? (
          <Skeleton lines={4} />
        ) : me ? (
          <Accounts me={me} lang={lang} onLinked={(accounts) => setMe({ ...me, accounts })} />
        ) : (
          <SignIn onDone={setMe} />
        )}
      </main>
      <SiteFooter utility={utility} />
    </>
  );
}

/** The link sent to a new sign-in email (#confirm-email=<token>): confirmed as the page opens. */
function ConfirmEmailChange({ token }: { token: string }) {
  const [err, setErr] = useState<unknown>(null);
  const [email, setEmail] = useState<string | null>(null);
  usePageTitle(t('signIn'));
  useEffect(() => {
    api<{ newEmail: string }>('/auth/email-change/confirm', { method: 'POST', body: { token } }).then(
      (r) => setEmail(r.newEmail),
      setErr,
    );
  }, [token]);
  return (
    <section class="card narrow">
      {email ? (
        <p role="status" data-testid="email-change-done">
          {t('emailChangeDone', { email })} <a href="#sign-in">{t('signIn')}</a>
        </p>
      ) : (
        <ErrorNote error={err} />
      )}
    </section>
  );
}

/** The emailed reset link (#reset-password=<token>): a new password, then a sign-in. */
function ResetPassword({ token }: { token: string }) {
  const [err, setErr] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  usePageTitle(t('resetTitle'));
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setErr(null);
    try {
      await api('/auth/password-reset/confirm', {
        method: 'POST',
        body: { token, password: String(f.get('password') ?? '') },
      });
      setDone(true);
    } catch (e2) {
      setErr(e2);
    }
  };
  if (done)
    return (
      <p class="card narrow" role="status" data-testid="reset-done">
        {t('resetDone')} <a href="#sign-in">{t('signIn')}</a>
      </p>
    );
  return (
    <form class="card narrow" onSubmit={submit} aria-labelledby="reset-title">
      <h1 id="reset-title">{t('resetTitle')}</h1>
      <label for="new-password">{t('newPassword')}</label>
      <input
        id="new-password"
        name="password"
        type="password"
        autoComplete="new-password"
        minLength={10}
        required
      />
      <button type="submit">{t('resetTitle')}</button>
      <ErrorNote error={err} />
    </form>
  );
}

function SignIn({ onDone }: { onDone: (m: Me) => void }) {
  const [mode, setMode] = useState<'login' | 'signup' | 'forgot'>('login');
  const [err, setErr] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // the link emailed at sign-up comes back here with its token: confirm it, then ask for a sign-in
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const token = params.get('verify-email');
    if (!token) return;
    params.delete('verify-email');
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
    api('/auth/verify-email', { method: 'POST', body: { token } }).then(
      () => setNotice(t('emailConfirmed')),
      (e) => setErr(e),
    );
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const v = (k: string) => String(f.get(k) ?? '').trim();
    setBusy(true);
    setErr(null);
    setNotice(null);
    try {
      if (mode === 'login') onDone(await login(v('email'), String(f.get('password') ?? '')));
      else if (mode === 'forgot') {
        // the same answer whether or not the email has a login
        await api('/auth/password-reset', { method: 'POST', body: { email: v('email') } });
        setMode('login');
        setNotice(t('resetSent', { email: v('email') }));
      } else {
        // the login works once the email is confirmed: the answer is "check your email", never a session
        await api('/auth/signup', {
          method: 'POST',
          body: {
            ...accountProof(f, { number: 'accountNumber', bill: 'lastBill' }),
            email: v('email'),
            password: String(f.get('password') ?? ''),
            ...(v('name') ? { displayName: v('name') } : {}),
          },
        });
        setMode('login');
        setNotice(t('checkEmail', { email: v('email') }));
      }
    } catch (e2) {
      setErr(e2);
    } finally {
      setBusy(false);
    }
  };

  const title = mode === 'login' ? t('signIn') : mode === 'forgot' ? t('forgotPassword') : t('signUp');
  usePageTitle(title);
  return (
    <form class="card narrow" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">{title}</h1>
      {notice ? (
        <p role="status" data-testid="signin-notice">
          {notice}
        </p>
      ) : null}
      {mode === 'signup' ? (
        <>
          <AccountProof ids={{ number: 'accountNumber', bill: 'lastBill' }} />
          <label for="name">{t('yourName')}</label>
          <input id="name" name="name" autoComplete="name" />
        </>
      ) : null}
      <label for="email">{t('email')}</label>
      <input id="email" name="email" type="email" autoComplete="username" required />
      {mode === 'forgot' ? null : (
        <>
          <label for="password">{mode === 'login' ? t('password') : t('newPassword')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            minLength={mode === 'login' ? 1 : 10}
            required
          />
        </>
      )}
      <button type="submit" disabled={busy}>
        {mode === 'login' ? t('signIn') : mode === 'forgot' ? t('sendResetLink') : t('signUp')}
      </button>
      <ErrorNote error={err} />
      {mode === 'login' ? (
        <p>
          <button type="button" class="link" onClick={() => setMode('forgot')}>
            {t('forgotPassword')}
          </button>
        </p>
      ) : null}
      <p>
        <button type="button" class="link" onClick={() => setMode(mode === 'login' ? 'signup' : 'login')}>
          {mode === 'login' ? t('noLogin') : t('haveLogin')}
        </button>
      </p>
    </form>
  );
}

function Accounts({
  me,
  lang,
  onLinked,
}: {
  me: Me;
  lang: string;
  onLinked: (accounts: Me['accounts']) => void;
}) {
  const [accountId, setAccountId] = useState(me.accounts[0]?.id ?? null);
  if (me.kind !== 'customer')
    return (
      <p class="card">
        <a href="/staff">{t('staffTitle')}</a>
      </p>
    );
  const linked = (accounts: Me['accounts'], id: string) => {
    onLinked(accounts);
    setAccountId(id);
  };
  if (!accountId) return <LinkAccount onLinked={linked} open />;
  return (
    <>
      {me.accounts.length > 1 ? (
        <p class="card">
          <label for="acct">{t('selectAccount')}</label>
          <select
            id="acct"
            value={accountId}
            onChange={(e) => setAccountId((e.target as HTMLSelectElement).value)}
          >
            {me.accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.accountNumber}
              </option>
            ))}
          </select>
        </p>
      ) : null}
      <AccountView key={accountId} accountId={accountId} lang={lang} />
      <LinkAccount onLinked={linked} />
    </>
  );
}

type ProofIds = { number: string; bill: string };

/** Account number plus the latest bill's total: how sign-up and "link another account" prove ownership. */
function AccountProof({ ids }: { ids: ProofIds }) {
  return (
    <>
      <p class="muted" id={`${ids.bill}-hint`}>
        {t('proofHint')}
      </p>
      <label for={ids.number}>{t('accountNumber')}</label>
      <input id={ids.number} name={ids.number} inputMode="numeric" autoComplete="off" required />
      <label for={ids.bill}>{t('lastBill')}</label>
      <input
        id={ids.bill}
        name={ids.bill}
        inputMode="decimal"
        autoComplete="off"
        aria-describedby={`${ids.bill}-hint`}
        required
      />
    </>
  );
}

/** The API's {accountNumber, verification} from the AccountProof fields of a submitted form. */
function accountProof(f: FormData, ids: ProofIds) {
  const v = (k: string) => String(f.get(k) ?? '').trim();
  const cents = parseDollars(v(ids.bill));
  if (cents === null) throw new Error(t('badAmount'));
  return { accountNumber: v(ids.number).replace(/\D/g, ''), verification: { lastBillCents: cents } };
}

function LinkAccount({
  onLinked,
  open,
}: {
  onLinked: (accounts: Me['accounts'], id: string) => void;
  open?: boolean;
}) {
  const [err, setErr] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setErr(null);
    try {
      const proof = accountProof(f, { number: 'linkNumber', bill: 'linkBill' });
      const number = proof.accountNumber;
      const r = await api<{ data: Me['accounts'] }>('/me/accounts', { method: 'POST', body: proof });
      const added = r.data.find((a) => a.accountNumber === number);
      onLinked(r.data, added?.id ?? r.data[0]!.id);
      (e.target as HTMLFormElement).reset();
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <details class="card" open={open}>
      <summary>{t('linkAnother')}</summary>
      <form onSubmit={submit}>
        <AccountProof ids={{ number: 'linkNumber', bill: 'linkBill' }} />
        <button type="submit">{t('linkAccount')}</button>
        <ErrorNote error={err} />
      </form>
    </details>
  );
}

type Tab = 'overview' | 'usage' | 'bills' | 'payments' | 'methods' | 'autopay' | 'settings';
const TAB_LABEL: Record<Tab, Key> = {
  overview: 'overview',
  usage: 'usage',
  bills: 'bills',
  payments: 'payments',
  methods: 'pmTab',
  autopay: 'autopay',
  settings: 'settings',
};

function AccountView({ accountId, lang }: { accountId: string; lang: string }) {
  const [a, setA] = useState<AccountSummary | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const hash = useHash();
  const billId = /^#bill\/([\w-]+)$/.exec(hash)?.[1] ?? null;
  const asked = hash.slice(1) as Tab;
  const tab: Tab = asked in TAB_LABEL ? asked : 'overview';
  const [live, setLive] = useState(false);
  const [autopayVersion, setAutopayVersion] = useState(0);
  const load = useCallback(
    () =>
      api<AccountSummary>(`/accounts/${accountId}`).then(
        (x) => setA(x),
        (e) => setErr(e),
      ),
    [accountId],
  );
  useEffect(() => void load(), [load]);
  // asked again when the balance moves (a payment, a bill) or a plan is set up
  const past = usePastDue(accountId, a?.balanceCents);
  useAccountEvents(accountId, (e) => {
    setLive(true);
    // the balance at once from the event; the lists behind it from the API
    setA((prev) => (prev ? { ...prev, balanceCents: e.balanceCents } : prev));
    if (e.type !== 'balance') void load();
  });
  const go = (x: Tab) => {
    location.hash = x;
  };
  usePageTitle(billId ? t('whyTitle') : t(TAB_LABEL[tab]));
  if (err) return <ErrorNote error={err} />;
  if (!a) return <Skeleton lines={5} testid="account-loading" />;
  // a bill's explanation is a page of its own (#bill/<id>), linkable and with its own h1
  if (billId) return <BillExplanationView billId={billId} onClose={() => go('bills')} />;
  const address = a.serviceAgreements[0];
  const pastDue = past.pastDue && past.pastDue.pastDueCents > 0 ? past.pastDue : null;
  return (
    <>
      {/* on the overview only: on the payments tab the pay card and its receipt come first */}
      {pastDue && tab === 'overview' ? (
        <PastDueBanner p={pastDue} onPay={() => go('payments')} onChanged={past.reload} />
      ) : null}
      <section class="card balance-card" aria-labelledby="bal-label">
        <p class="muted">
          {t('selectAccount')} {a.accountNumber} · {a.customer.name}
          {address ? ` · ${address.addressLine1}, ${address.city}` : ''}
        </p>
        <p id="bal-label">
          {t('balance')}{' '}
          {live ? (
            <span class="live" title={t('live')}>
              ● {t('live')}
            </span>
          ) : null}
        </p>
        <p class="balance" data-testid="balance" aria-live="polite">
          <Money cents={a.balanceCents} />
        </p>
        <p data-testid="due">
          {pastDue?.oldestDueDate
            ? t('pastDueLine', { date: formatDate(pastDue.oldestDueDate) })
            : a.balanceCents > 0 && a.dueDate
              ? t('due', { date: formatDate(a.dueDate) })
              : a.balanceCents < 0
                ? t('credit')
                : t('nothingDue')}
        </p>
        {a.netMeteringCreditCents ? (
          <p data-testid="solar-credit">
            {t('solarCredit', { amount: formatCents(a.netMeteringCreditCents) })}
          </p>
        ) : null}
        {a.balanceCents > 0 ? (
          <button type="button" onClick={() => go('payments')}>
            {t('payNow')}
          </button>
        ) : null}
      </section>
      <nav class="tabs" aria-label={t('appTitle')}>
        {(['overview', 'usage', 'bills', 'payments', 'methods', 'autopay', 'settings'] as const).map((x) => (
          <button
            type="button"
            key={x}
            class={tab === x ? 'tab active' : 'tab'}
            aria-current={tab === x ? 'page' : undefined}
            onClick={() => go(x)}
          >
            {t(TAB_LABEL[x])}
          </button>
        ))}
      </nav>
      <h1 class="page-title">{t(TAB_LABEL[tab])}</h1>
      {tab === 'overview' ? (
        <>
          <LeakBanner accountId={accountId} />
          <UsagePanel accountId={accountId} lang={lang} compact />
          <BillsPanel a={a} limit={3} />
        </>
      ) : null}
      {tab === 'usage' ? <UsagePanel accountId={accountId} lang={lang} /> : null}
      {tab === 'bills' ? <BillsPanel a={a} /> : null}
      {tab === 'payments' ? (
        <>
          <PayPanel a={a} onAutopay={() => setAutopayVersion((v) => v + 1)} />
          <AutopayPanel key={autopayVersion} accountId={accountId} onManage={() => go('autopay')} />
          <PaymentHistory a={a} />
        </>
      ) : null}
      {tab === 'methods' ? <PaymentMethodsScreen accountId={accountId} /> : null}
      {tab === 'autopay' ? <AutopayScreen accountId={accountId} onAddMethod={() => go('methods')} /> : null}
      {tab === 'settings' ? <SettingsPanel a={a} reload={() => void load()} /> : null}
    </>
  );
}

function UsagePanel({ accountId, lang, compact }: { accountId: string; lang: string; compact?: boolean }) {
  const [months, setMonths] = useState<12 | 24>(12);
  const [u, setU] = useState<Usage | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    setU(null);
    // a slow answer to an earlier choice (12 months) must not replace a later one (24)
    let current = true;
    api<Usage>(`/accounts/${accountId}/usage?months=${months}`).then(
      (v) => current && setU(v),
      (e) => current && setErr(e),
    );
    return () => {
      current = false;
    };
  }, [accountId, months]);
  return (
    <Card title={t('usageTitle')} id="usage">
      {compact ? null : (
        <fieldset class="segmented">
          <legend class="visually-hidden">{t('usageTitle')}</legend>
          {([12, 24] as const).map((m) => (
            <button
              type="button"
              key={m}
              class={months === m ? 'tab active' : 'tab'}
              aria-pressed={months === m}
              onClick={() => setMonths(m)}
            >
              {m === 12 ? t('months12') : t('months24')}
            </button>
          ))}
        </fieldset>
      )}
      <ErrorNote error={err} />
      {!u ? (
        err ? null : (
          <Skeleton chart lines={1} />
        )
      ) : (
        <>
          {u.services.length === 0 ? (
            <EmptyState title={t('noUsage')} next={t('noUsageNext')} testid="no-usage" />
          ) : (
            u.services.map((s) => <UsageChart key={`${s.serviceType}-${u.months}`} service={s} lang={lang} />)
          )}
          {/* interval (AMI) meters have days and hours even before the first monthly register read */}
          {compact ? null : <UsageDrill accountId={accountId} periods={u.periods} />}
        </>
      )}
    </Card>
  );
}

function BillsPanel({ a, limit }: { a: AccountSummary; limit?: number }) {
  const bills = limit ? a.bills.slice(0, limit) : a.bills;
  return (
    <Card title={t('bills')} id="bills">
      {bills.length === 0 ? (
        <EmptyState title={t('noBills')} next={t('noBillsNext')} testid="no-bills" />
      ) : (
        <Table testid="bills" head={[t('period'), t('dueDate'), num(t('amount')), t('pdf'), t('whyTitle')]}>
          {bills.map((b) => (
            <tr key={b.id} data-period={b.period}>
              <td>{formatMonth(b.period)}</td>
              <td>{formatDate(b.dueDate)}</td>
              <td class="num">
                <Money cents={b.totalCents} />
              </td>
              <td>
                <BillPdfLink
                  billId={b.id}
                  label={t('pdf')}
                  hint={t('viewPdf', { period: formatMonth(b.period) })}
                />
              </td>
              <td>
                <ExplainBillButton
                  label={t('whyDifferent')}
                  hint={t('viewPdf', { period: formatMonth(b.period) })}
                  onClick={() => {
                    location.hash = `bill/${b.id}`;
                  }}
                />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

/** The payments tab's one line on autopay; changing or stopping it is the autopay screen's job (with its confirmation). */
function AutopayPanel({ accountId, onManage }: { accountId: string; onManage: () => void }) {
  const [s, setS] = useState<Static<typeof AutopayStatus> | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useEffect(() => {
    api<Static<typeof AutopayStatus>>(`/accounts/${accountId}/autopay`).then(setS, setErr);
  }, [accountId]);
  return (
    <Card title={t('autopay')} id="autopay">
      {s ? (
        <p data-testid="autopay-status">
          {s.enrolled
            ? t('autopayOn', {
                method: word(s.method ?? ''),
                ref: `…${(s.paymentMethodRef ?? '').slice(-4)}`,
                days: s.daysBeforeDue ?? 0,
              })
            : t('autopayOff')}
        </p>
      ) : err ? null : (
        <Skeleton lines={1} />
      )}
      <button type="button" class="secondary" onClick={onManage}>
        {t('manageAutopay')}
      </button>
      <ErrorNote error={err} />
    </Card>
  );
}

/** A new sign-in email: asked with the current password; it changes once the new address confirms. */
function ChangeEmailPanel() {
  const [err, setErr] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    setErr(null);
    try {
      const r = await api<{ newEmail: string }>('/me/email', {
        method: 'POST',
        body: { newEmail: String(f.get('newEmail') ?? '').trim(), password: String(f.get('password') ?? '') },
      });
      setSent(r.newEmail);
      form.reset();
    } catch (e2) {
      setErr(e2);
    }
  };
  return (
    <details class="card">
      <summary>{t('changeEmail')}</summary>
      <form onSubmit={submit}>
        <label for="new-email">{t('newEmail')}</label>
        <input id="new-email" name="newEmail" type="email" autoComplete="email" required />
        <label for="current-password">{t('currentPassword')}</label>
        <input
          id="current-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <button type="submit">{t('changeEmail')}</button>
        {sent ? <p role="status">{t('checkEmailChange', { email: sent })}</p> : null}
        <ErrorNote error={err} />
      </form>
    </details>
  );
}

function SettingsPanel({ a, reload }: { a: AccountSummary; reload: () => void }) {
  return (
    <>
      <PaperlessPanel a={a} onChanged={reload} />
      <ContactsScreen accountId={a.id} />
      <ChangeEmailPanel />
      <AlertsPanel accountId={a.id} />
      <MoveWizard
        accountId={a.id}
        serviceAddress={
          a.serviceAgreements[0]
            ? `${a.serviceAgreements[0].addressLine1}, ${a.serviceAgreements[0].city}`
            : undefined
        }
      />
      <ServiceRequestsPanel accountId={a.id} />
      <DisputesPanel a={a} />
      <GreenButtonPanel accountId={a.id} />
      <LoginsPanel accountId={a.id} />
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the shell's loading note
render(<App />, root);
