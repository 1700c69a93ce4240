// Small pieces shared by the portal and the staff console.
import type { ComponentChildren } from 'preact';
import { locale, t } from '../lib/i18n';
import { formatCents } from '../lib/money';

export const Money = ({ cents }: { cents: number }) => (
  <span class="money">{formatCents(cents, locale())}</span>
);

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {t('error', { message: error instanceof Error ? error.message : String(error) })}
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
