// The portal's pages are hash routes (#usage, #bill/<id>, #help): linkable, and the back button works.
import { useEffect, useState } from 'preact/hooks';
import { t, useLang } from './i18n';
import { useUtility } from './portal-config';

export function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
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
