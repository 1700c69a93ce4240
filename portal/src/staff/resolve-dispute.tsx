// Resolve a dispute from the queue: upheld (the bill stands), adjusted (a credit of the amount given, posted
// as an adjustment), or rebill (the bill cancelled and re-rated from a corrected read, or from the re-read
// when it is lower). Asks before doing it: each of them is told to the customer and none is undone here.
import { useState } from 'preact/hooks';
import type { AccountRead } from '../../../api/routes/usage.schema';
import { api, type ListOf } from '../lib/api';
import { formatDate, locale, t } from '../lib/i18n';
import { formatCents, parseDollars } from '../lib/money';
import type { Case, CaseAction, Resolution } from './case-row';
import { ConfirmAsk } from './confirm';
import type { Read } from './shared';

export function ResolveDispute({ c, onAct }: { c: Case; onAct: (a: CaseAction) => Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [resolution, setResolution] = useState<Resolution>('upheld');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [reads, setReads] = useState<Read[] | null>(null);
  const [readId, setReadId] = useState('');
  const [value, setValue] = useState('');
  const [bad, setBad] = useState<'amount' | 'value' | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!open)
    return (
      <button type="button" class="secondary" onClick={() => setOpen(true)}>
        {t('cqResolve')}
      </button>
    );
  const choose = (r: Resolution) => {
    setResolution(r);
    setBad(null);
    if (r === 'rebill' && reads === null && c.accountId)
      api<ListOf<typeof AccountRead>>(`/accounts/${c.accountId}/reads?limit=12`).then(
        (x) => setReads(x.data.filter((d) => !d.superseded)),
        () => setReads([]),
      );
  };
  const cents = resolution === 'adjusted' ? parseDollars(amount) : null;
  const id = `resolve-${c.id}`;
  const question =
    resolution === 'adjusted'
      ? t('cqConfirmAdjusted', { amount: formatCents(cents ?? 0, locale()) })
      : resolution === 'rebill'
        ? t('cqConfirmRebill')
        : t('cqConfirmUpheld');
  return (
    <form
      data-testid="resolve-dispute"
      onSubmit={(e) => {
        e.preventDefault();
        if (resolution === 'adjusted' && !cents) return setBad('amount');
        if (resolution === 'rebill' && readId && !/^\d{1,12}(\.\d{1,4})?$/.test(value.trim()))
          return setBad('value');
        setBad(null);
        setAsking(true);
      }}
    >
      <fieldset>
        <legend>{t('cqResolution')}</legend>
        {(['upheld', 'adjusted', 'rebill'] as const).map((r) => (
          <label class="inline" key={r}>
            <input
              type="radio"
              name={`${id}-resolution`}
              value={r}
              checked={resolution === r}
              onChange={() => choose(r)}
            />{' '}
            {t(r === 'upheld' ? 'cqUpheld' : r === 'adjusted' ? 'cqAdjusted' : 'cqRebill')}
          </label>
        ))}
      </fieldset>
      {resolution === 'adjusted' ? (
        <>
          <label for={`${id}-amount`}>{t('cqCredit')}</label>
          <input
            id={`${id}-amount`}
            inputMode="decimal"
            value={amount}
            aria-invalid={bad === 'amount' || undefined}
            aria-describedby={bad === 'amount' ? `${id}-bad` : undefined}
            onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
          />
          {bad === 'amount' ? (
            <p class="error" id={`${id}-bad`} role="alert">
              {t('cqBadAmount')}
            </p>
          ) : null}
        </>
      ) : null}
      {resolution === 'rebill' ? (
        <>
          <label for={`${id}-read`}>{t('cqRebillRead')}</label>
          <select
            id={`${id}-read`}
            value={readId}
            onChange={(e) => setReadId((e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('cqRebillUseReread')}</option>
            {(reads ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {formatDate(r.readAt)} · {r.serialNumber} · {r.value} {r.unit} ({r.source})
              </option>
            ))}
          </select>
          {readId ? (
            <>
              <label for={`${id}-value`}>{t('cqRebillValue')}</label>
              <input
                id={`${id}-value`}
                inputMode="decimal"
                value={value}
                aria-invalid={bad === 'value' || undefined}
                aria-describedby={bad === 'value' ? `${id}-bad` : undefined}
                onInput={(e) => setValue((e.target as HTMLInputElement).value)}
              />
              {bad === 'value' ? (
                <p class="error" id={`${id}-bad`} role="alert">
                  {t('cqBadValue')}
                </p>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
      <label for={`${id}-note`}>{t('cqNote')}</label>
      <input
        id={`${id}-note`}
        value={note}
        maxLength={1000}
        onInput={(e) => setNote((e.target as HTMLInputElement).value)}
      />
      {asking ? (
        <ConfirmAsk
          id={id}
          question={question}
          busy={busy}
          onNo={() => setAsking(false)}
          onYes={async () => {
            setBusy(true);
            const ok = await onAct({
              kind: 'resolve',
              body: {
                resolution,
                ...(cents ? { credit_cents: cents } : {}),
                ...(resolution === 'rebill' && readId
                  ? { corrections: [{ read_id: readId, value: value.trim() }] }
                  : {}),
                ...(note.trim() ? { note: note.trim() } : {}),
              },
            });
            setBusy(false);
            if (!ok) setAsking(false);
          }}
        />
      ) : (
        <button type="submit">{t('cqResolveSubmit')}</button>
      )}
    </form>
  );
}
