// GET /portal/config.json, asked once per page: who the utility is (name, logo, colour, how to reach it), the
// payment mode and Stripe's publishable key. The brand colour is applied to the page as it arrives.
import type { Static } from '@sinclair/typebox';
import { useEffect, useState } from 'preact/hooks';
import type { PortalConfig as Schema } from '../../../api/routes/web.schema';
import { api } from './api';

export type PortalConfig = Static<typeof Schema>;
export type Utility = PortalConfig['utility'];

let asked: Promise<PortalConfig> | null = null;

export function portalConfig(): Promise<PortalConfig> {
  asked ??= api<PortalConfig>('/portal/config.json').then(
    (c) => {
      // the server refused any colour white text cannot be read on (lib/config.ts), so buttons stay AA
      document.documentElement.style.setProperty('--accent', c.utility.brandColor);
      document.documentElement.style.setProperty('--brand', c.utility.brandColor);
      return c;
    },
    (e) => {
      asked = null; // asked again next time rather than kept failed
      throw e;
    },
  );
  return asked;
}

/** The utility's profile, or null while it is asked for (and if it could not be). */
export function useUtility(): Utility | null {
  const [u, setU] = useState<Utility | null>(null);
  useEffect(() => {
    portalConfig().then(
      (c) => setU(c.utility),
      () => {},
    );
  }, []);
  return u;
}
