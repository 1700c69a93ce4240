// The staff console: search, the account on one screen (360), the disputes and service requests queue, the
// exceptions queue, bill runs and reports.
// This entry mounts the app and routes the hash (#/search, #/account/:id, …) to the screens in staff/.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { SkipLink } from './components/ui';
import { api, type Me } from './lib/api';
import { useHash } from './lib/route';
import { Account360 } from './staff/account360';
import { BillRuns } from './staff/bill-runs';
import { Cases } from './staff/cases';
import { Exceptions } from './staff/exceptions';
import { StaffHeader } from './staff/header';
import { StaffLogin } from './staff/login';
import { Reports } from './staff/reports';
import { Search } from './staff/search';
import { AcceptInvitation, Users } from './staff/users';

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const hash = useHash('#/search');
  useEffect(() => {
    api<Me>('/me').then(setMe, () => setMe(null));
  }, []);
  return (
    <>
      <SkipLink label="Skip to content" />
      <StaffHeader me={me} hash={hash} />
      <main id="main" tabIndex={-1}>
        {me === undefined ? (
          <p>Loading…</p>
        ) : !me && hash.startsWith('#/invitation') ? (
          <AcceptInvitation token={new URLSearchParams(hash.split('?')[1] ?? '').get('token') ?? ''} />
        ) : !me ? (
          <StaffLogin onDone={setMe} />
        ) : me.kind !== 'staff' ? (
          <p class="card">
            This console is for utility staff. <a href="/portal">Go to My account</a>
          </p>
        ) : (
          <Route hash={hash} me={me} />
        )}
      </main>
    </>
  );
}

function Route({ hash, me }: { hash: string; me: Me }) {
  const [path, query = ''] = hash.slice(1).split('?');
  const parts = (path ?? '').split('/').filter(Boolean);
  if (parts[0] === 'account' && parts[1])
    return <Account360 key={parts[1]} id={parts[1]} me={me} tab={parts[2] ?? 'timeline'} />;
  if (parts[0] === 'cases') return <Cases me={me} />;
  if (parts[0] === 'exceptions') return <Exceptions me={me} />;
  if (parts[0] === 'bill-runs') return <BillRuns me={me} />;
  if (parts[0] === 'reports') return <Reports />;
  if (parts[0] === 'users') return <Users me={me} />;
  return <Search initial={new URLSearchParams(query).get('q') ?? ''} />;
}

const root = document.getElementById('app')!;
root.textContent = ''; // the shell's loading note
render(<App />, root);
