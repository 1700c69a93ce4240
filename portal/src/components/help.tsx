// The utility's name and logo in the header, its help and contact page (#help), and the footer on every page:
// all from its profile (UTILITY_*, GET /portal/config.json), never hard-coded.

import { t } from '../lib/i18n';
import type { Utility } from '../lib/portal-config';
import { usePageTitle } from '../lib/route';
import { Card } from './ui';

const tel = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;
const site = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

export function UtilityBrand({ utility }: { utility: Utility | null }) {
  return (
    <a class="brand" href="#overview">
      {utility?.logoUrl ? <img src={utility.logoUrl} alt="" width={32} height={32} /> : null}
      <span>
        <strong>{utility?.name ?? 'cisflow'}</strong>
        <span class="brand-sub"> · {t('appTitle')}</span>
      </span>
    </a>
  );
}

export function HelpPage({ utility }: { utility: Utility | null }) {
  usePageTitle(t('helpTitle'));
  return (
    <>
      <h1 class="page-title">{t('helpTitle')}</h1>
      <Card title={utility?.name ?? t('helpTitle')} id="contact">
        <dl class="contact" data-testid="contact">
          {utility?.phone ? (
            <div>
              <dt>{t('helpCall')}</dt>
              <dd>
                <a href={tel(utility.phone)}>{utility.phone}</a>
              </dd>
            </div>
          ) : null}
          {utility?.emergencyPhone ? (
            <div>
              <dt>{t('helpEmergency')}</dt>
              <dd>
                <a href={tel(utility.emergencyPhone)}>{utility.emergencyPhone}</a>
              </dd>
            </div>
          ) : null}
          {utility?.officeHours ? (
            <div>
              <dt>{t('helpHours')}</dt>
              <dd>{utility.officeHours}</dd>
            </div>
          ) : null}
          {utility?.website ? (
            <div>
              <dt>{t('helpWeb')}</dt>
              <dd>
                <a href={utility.website} rel="noopener">
                  {site(utility.website)}
                </a>
              </dd>
            </div>
          ) : null}
          {utility?.remitTo.length ? (
            <div>
              <dt>{t('helpMail')}</dt>
              <dd>
                {utility.remitTo.map((l) => (
                  <span key={l} class="address-line">
                    {l}
                  </span>
                ))}
              </dd>
            </div>
          ) : null}
        </dl>
      </Card>
      <Card title={t('helpFaq')} id="faq">
        {(
          [
            ['faqHigh', 'faqHighA'],
            ['faqPay', 'faqPayA'],
            ['faqBehind', 'faqBehindA'],
            ['faqMove', 'faqMoveA'],
          ] as const
        ).map(([q, a]) => (
          <details key={q} class="faq">
            <summary>{t(q)}</summary>
            <p>{t(a)}</p>
          </details>
        ))}
      </Card>
      <p>
        <a href="#overview">{t('backToAccount')}</a>
      </p>
    </>
  );
}

/** Every page ends with how to reach the utility, so no one has to hunt for the number. */
export function SiteFooter({ utility }: { utility: Utility | null }) {
  if (!utility) return null;
  return (
    <footer class="site-footer" data-testid="footer">
      <p>
        <strong>{utility.name}</strong>
      </p>
      {utility.phone ? (
        <p>
          {t('helpCall')}: <a href={tel(utility.phone)}>{utility.phone}</a>
        </p>
      ) : null}
      {utility.emergencyPhone ? (
        <p>
          {t('helpEmergency')}: <a href={tel(utility.emergencyPhone)}>{utility.emergencyPhone}</a>
        </p>
      ) : null}
      <p>
        <a href="#help">{t('helpTitle')}</a>
      </p>
    </footer>
  );
}
