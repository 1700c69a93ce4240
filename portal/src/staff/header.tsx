// The console's header: its screens and who is signed in, once someone is.
import { logout, type Me } from '../lib/api';
import { t } from '../lib/i18n';

const NAV = [
  ['#/search', 'Search'],
  ['#/cases', () => t('cqNav')],
  ['#/exceptions', 'Exceptions'],
  ['#/bill-runs', 'Bill runs'],
  ['#/reports', 'Reports'],
] as const;
/** screens only some roles see */
const SUPERVISOR_NAV = [['#/users', 'Users']] as const;

export function StaffHeader({ me, hash }: { me: Me | null | undefined; hash: string }) {
  return (
    <header>
      <strong>cisflow · Staff console</strong>
      {me ? (
        <nav class="header-actions" aria-label="Staff console">
          {[...NAV, ...(me.role === 'admin' || me.role === 'supervisor' ? SUPERVISOR_NAV : [])].map(
            ([h, label]) => (
              <a key={h} href={h} aria-current={hash.startsWith(h) ? 'page' : undefined}>
                {typeof label === 'function' ? label() : label}
              </a>
            ),
          )}
          <span>
            {me.displayName} ({me.role})
          </span>
          <button type="button" class="link" onClick={() => void logout()}>
            Sign out
          </button>
        </nav>
      ) : null}
    </header>
  );
}
