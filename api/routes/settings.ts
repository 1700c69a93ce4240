// The utility's settings in one place (who the bill, the portal and messages are from): staff read them,
// admins change them. Saved in the database (db/utility-settings.ts), the environment's until the first save;
// every save is audited with the settings before and after.
import type { Static } from '@sinclair/typebox';
import {
  type UtilitySettings as Saved,
  type SettingsChange,
  saveUtilitySettings,
  settingsForAudit,
  utilitySettings,
} from '../../db/utility-settings.js';
import { STAFF } from '../plugins/auth.js';
import { type App, type AppDeps, utilityDefaults } from '../types.js';
import { UtilitySettings, UtilitySettingsPatch, UtilitySettingsPut } from './settings.schema.js';

const answer = (s: Saved): Static<typeof UtilitySettings> => ({
  object: 'utility_settings',
  version: s.version,
  name: s.name,
  address: s.address,
  remitTo: s.remitTo,
  phone: s.phone,
  website: s.website,
  emergencyPhone: s.emergencyPhone,
  officeHours: s.officeHours,
  timeZone: s.timeZone,
  lateFeeText: s.lateFeeText,
  brandColor: s.brandColor,
  logoUrl: s.logo ? `/portal/logo?v=${s.version}` : null,
  updatedAt: s.updatedAt?.toISOString() ?? null,
  updatedBy: s.updatedBy,
});

export default async function settingsRoutes(app: App, deps: AppDeps) {
  const defaults = utilityDefaults(deps);

  app.get(
    '/settings/utility',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['settings'],
        summary:
          "The utility's settings in force: as an admin saved them, else the environment's (version 0)",
        response: { 200: UtilitySettings },
      },
    },
    async () => answer(await utilitySettings(deps.sql, defaults)),
  );

  const save = (full: boolean) => async (req: import('fastify').FastifyRequest) => {
    const { version, ...body } = req.body as Static<typeof UtilitySettingsPatch>;
    // PUT names every value: one it leaves out is emptied (the logo, left out, is kept)
    const change: SettingsChange = full
      ? {
          address: [],
          phone: null,
          website: null,
          emergencyPhone: null,
          officeHours: null,
          lateFeeText: null,
          ...body,
        }
      : body;
    const r = await saveUtilitySettings(deps.sql, {
      change,
      defaults,
      by: req.user!.id,
      now: deps.clock.now(),
      expectedVersion: version,
    });
    req.auditResource = {
      type: 'utility_settings',
      id: 'utility',
      detail: { before: settingsForAudit(r.before), after: settingsForAudit(r.after) },
    };
    return answer(r.after);
  };

  const route = {
    config: { access: { staff: STAFF.admin } },
    // a logo rides in the body as base64 (at most 256 KB of image)
    bodyLimit: 512 * 1024,
  };
  app.put(
    '/settings/utility',
    {
      ...route,
      schema: {
        tags: ['settings'],
        summary: "Replace the utility's settings (admins); every field is checked and a refusal names it",
        body: UtilitySettingsPut,
        response: { 200: UtilitySettings },
      },
    },
    save(true),
  );
  app.patch(
    '/settings/utility',
    {
      ...route,
      schema: {
        tags: ['settings'],
        summary: "Change some of the utility's settings (admins); the result is checked as a whole",
        body: UtilitySettingsPatch,
        response: { 200: UtilitySettings },
      },
    },
    save(false),
  );
}
