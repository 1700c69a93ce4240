// Find an account by what a caller gives: name, account number, address, meter number or phone.
import type { Static } from '@sinclair/typebox';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { SearchHit } from '../../../api/routes/search.schema';
import { Card, ErrorNote, Money, num, Table } from '../components/ui';
import { api, type ListOf } from '../lib/api';
import { t } from '../lib/i18n';

type Hit = Static<typeof SearchHit>;

export function Search({ initial }: { initial: string }) {
  const [q, setQ] = useState(initial);
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [more, setMore] = useState(false);
  const [asked, setAsked] = useState('');
  const [err, setErr] = useState<unknown>(null);
  // a page of hits: the first (a new search), or the next after the last one shown ("Show more results")
  const run = useCallback(async (text: string, after?: string) => {
    setErr(null);
    if (text.trim().length < 2) return setHits(null);
    try {
      const r = await api<ListOf<typeof SearchHit>>(
        `/search?q=${encodeURIComponent(text.trim())}${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`,
      );
      setHits((prev) => (after ? [...(prev ?? []), ...r.data] : r.data));
      setMore(r.has_more);
      setAsked(text);
    } catch (e) {
      setErr(e);
    }
  }, []);
  useEffect(() => void run(initial), [initial, run]);
  return (
    <Card title="Find an account">
      <form
        aria-label="Search accounts"
        onSubmit={(e) => {
          e.preventDefault();
          history.replaceState(null, '', `#/search?q=${encodeURIComponent(q)}`);
          void run(q);
        }}
      >
        <label for="q">Name, account number, address, meter number or phone</label>
        <input id="q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={err} />
      {hits && hits.length === 0 ? <p>No accounts match.</p> : null}
      {hits?.length ? <SearchResults hits={hits} /> : null}
      {hits?.length ? (
        <p class="muted" aria-live="polite" data-testid="search-count">
          {t('srShown', { n: hits.length })}
          {more ? ` · ${t('srMoreExist')}` : ''}
        </p>
      ) : null}
      {more && hits?.length ? (
        <button type="button" class="secondary" onClick={() => void run(asked, hits.at(-1)!.id)}>
          {t('srMore')}
        </button>
      ) : null}
    </Card>
  );
}

function SearchResults({ hits }: { hits: Hit[] }) {
  return (
    <Table
      testid="search-results"
      head={['Account', 'Customer', 'Address', 'Phone', num('Balance'), 'Matched']}
    >
      {hits.map((h) => (
        <tr key={h.id}>
          <td>
            <a href={`#/account/${h.id}`}>{h.accountNumber}</a>
          </td>
          <td>{h.customerName}</td>
          <td>{h.address ?? '—'}</td>
          <td>{h.phone ?? '—'}</td>
          <td class="num">
            <Money cents={h.balanceCents} />
          </td>
          <td>{h.matchedOn.join(', ').replace('_', ' ')}</td>
        </tr>
      ))}
    </Table>
  );
}
