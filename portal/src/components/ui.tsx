// Small pieces shared by the portal and the staff console.
import type { ComponentChildren } from 'preact';
import { errorWords } from '../lib/error-words';
import { locale, t } from '../lib/i18n';
import { formatCents } from '../lib/money';
import { useUtility } from '../lib/portal-config';
import { SKIP_TARGET } from '../lib/route';

export const Money = ({ cents }: { cents: number }) => (
  <span class="money">{formatCents(cents, locale())}</span>
);

/** What went wrong and what to do, in the page's language (lib/error-words.ts); nothing when all is well. */
export function ErrorNote({ error }: { error: unknown }) {
  const utility = useUtility();
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {errorWords(error, utility?.phone)}
    </p>
  );
}

/** What an action did, announced as a status; nothing while there is nothing to say. */
export function OkNote({ message, testid }: { message: string | null | undefined; testid?: string }) {
  if (!message) return null;
  return (
    <p class="ok" role="status" data-testid={testid}>
      {message}
    </p>
  );
}

export function Unavailable({ title, what }: { title: string; what?: string }) {
  return (
    <section class="card unavailable" aria-label={title} data-unavailable={title}>
      <h3>{title}</h3>
      <p class="muted">
        {t('notAvailable')}
        {what ? ` — ${what}` : ''}
      </p>
    </section>
  );
}

export function Card({ title, children, id }: { title?: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={id} aria-label={title}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </section>
  );
}

/** A column header: its label, or a label over figures (right-aligned, as the figures are). */
export type Column = string | { label: string; num: true };
export const num = (label: string): Column => ({ label, num: true });

/** A table with one row of column headers over the rows given. */
export function Table({
  testid,
  head,
  children,
}: {
  testid?: string;
  head: Column[];
  children: ComponentChildren;
}) {
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          {head.map((h) =>
            typeof h === 'string' ? (
              <th scope="col" key={h}>
                {h}
              </th>
            ) : (
              <th scope="col" class="num" key={h.label}>
                {h.label}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A bill's PDF, opened in a new tab: `label` shows, `hint` tells a screen reader which bill it is. */
export function BillPdfLink({ billId, label, hint }: { billId: string; label: string; hint: string }) {
  return (
    <a href={`/bills/${billId}/document`} target="_blank" rel="noopener">
      {label}
      <span class="visually-hidden"> {hint}</span>
    </a>
  );
}

/**
 * Grey bars in the shape of what is coming, while it is asked for: the page does not jump when it arrives.
 * One status for a screen reader, not one per bar.
 */
export function Skeleton({ lines = 3, chart, testid }: { lines?: number; chart?: boolean; testid?: string }) {
  return (
    <div class="skeleton" role="status" aria-busy="true" data-testid={testid ?? 'skeleton'}>
      <span class="visually-hidden">{t('loading')}</span>
      {chart ? <div class="sk-block" aria-hidden="true" /> : null}
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} class="sk-line" aria-hidden="true" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

/** Nothing here yet, said plainly, with what to do next (and the button for it, when there is one). */
export function EmptyState({
  title,
  next,
  action,
  testid,
}: {
  title: string;
  next: string;
  action?: { label: string; onClick: () => void };
  testid?: string;
}) {
  return (
    <div class="empty" data-testid={testid ?? 'empty'}>
      <p>
        <strong>{title}</strong>
      </p>
      <p class="muted">{next}</p>
      {action ? (
        <button type="button" class="secondary" onClick={action.onClick}>
          {action.label}
        </button>
      ) : null}
    </div>
  );
}

/** "Skip to content": its #main is an in-page anchor, which the hash routers ignore (lib/route.ts). */
export function SkipLink({ label }: { label: string }) {
  return (
    <a class="skip" href={`#${SKIP_TARGET}`}>
      {label}
    </a>
  );
}
