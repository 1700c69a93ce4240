// The portal's pages are hash routes (#usage, #bill/<id>, #help): linkable, and the back button works.
import { useEffect, useState } from 'preact/hooks';
import { t, useLang } from './i18n';
import { useUtility } from './portal-config';

/** The skip link's target: an anchor in the page, not a page, so following it keeps the page open. */
export const SKIP_TARGET = 'main';

/** The page's hash; `fallback` when there is none. The skip link's #main leaves it as it was. */
export function useHash(fallback = ''): string {
  const [hash, setHash] = useState(
    location.hash && location.hash !== `#${SKIP_TARGET}` ? location.hash : fallback,
  );
  useEffect(() => {
    const on = () => {
      if (location.hash !== `#${SKIP_TARGET}`) setHash(location.hash || fallback);
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, [fallback]);
  return hash;
}

/** The tab's title: the page, then the utility's name, in the page's language. */
export function usePageTitle(page: string) {
  const lang = useLang();
  const utility = useUtility();
  useEffect(() => {
    document.title = t('pageTitle', { page, utility: utility?.name ?? t('appTitle') });
  }, [page, utility, lang]);
}
