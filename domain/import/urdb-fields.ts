// Every URDB rate field and what cisflow does with it. A field that changes a bill is either applied or,
// when it has a value, reported as a warning and recorded in `source.unapplied`, which keeps the tariff out
// of live billing (parseTariff refuses it) while it can still be previewed. The table in
// docs/tariff-format.md lists the same fields.

/** Describe the rate; they do not change a bill. */
export const URDB_INFO_FIELDS = new Set([
  'label',
  'uri',
  'utility',
  'utilityName',
  'eiaid',
  'name',
  'startdate',
  'enddate',
  'supersedes',
  'supercedes',
  'sector',
  'servicetype',
  'description',
  'source',
  'sourceparent',
  'basicinformationcomments',
  'energycomments',
  'demandcomments',
  'revisions',
  'approved',
  'is_default',
  'isdefault',
  'country',
  'latest_update',
  'voltagecategory',
  'phasewiring',
  // who may take the rate (eligibility), not what it charges
  'peakkwcapacitymin',
  'peakkwcapacitymax',
  'peakkwcapacityhistory',
  'peakkwhusagemin',
  'peakkwhusagemax',
  'peakkwhusagehistory',
  'voltageminimum',
  'voltagemaximum',
]);

/** Read by importUrdb (each may still be refused for a value it cannot bill, with its own message). */
export const URDB_APPLIED_FIELDS = new Set([
  'fixedmonthlycharge',
  'fixedchargefirstmeter',
  'fixedchargeunits',
  'energyratestructure',
  'energyweekdayschedule',
  'energyweekendschedule',
  'flatdemandstructure',
  'flatdemandmonths',
  'demandratestructure',
  'demandweekdayschedule',
  'demandweekendschedule',
  'minmonthlycharge',
  'mincharge',
  'minchargeunits',
  'demandunits',
  'flatdemandunit',
  'demandrateunit',
  'annualmincharge',
  'lookbackPercent',
  'lookbackMonths',
  'lookbackRange',
  'dgrules',
]);

/** Known fields cisflow does not apply yet, with why. A value here is warned and refused for live billing. */
export const URDB_UNAPPLIED_FIELDS: Record<string, string> = {
  demandratchetpercentage: 'per-month ratchet percentages (SAM style) are not applied; use lookbackPercent',
  usenetmetering: 'net metering is not applied',
  coincidentratestructure: 'coincident demand charges are not applied',
  coincidentrateschedule: 'coincident demand charges are not applied',
  coincidentrateunit: 'coincident demand charges are not applied',
  demandreactivepowercharge: 'reactive power (kVAR) charges are not applied',
  demandwindow: 'a demand averaging window is not applied (demand is taken per interval of the data)',
  fixedchargeeaaddl: 'charges for additional meters are not applied',
  fixedattrs: 'free-form fixed-charge attributes are not applied',
  fixedkeyvals: 'free-form fixed-charge attributes are not applied',
  energyattrs: 'free-form energy attributes are not applied',
  energykeyvals: 'free-form energy attributes are not applied',
  demandattrs: 'free-form demand attributes are not applied',
  demandkeyvals: 'free-form demand attributes are not applied',
};

/** Whether a value would change a bill: absent, null, zero, false, "" and empty lists do not. */
export function hasEffect(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return false;
  if (Array.isArray(v)) return v.some(hasEffect);
  if (typeof v === 'object') return Object.values(v as object).some(hasEffect);
  if (typeof v === 'string') return v.trim() !== '' && v.trim() !== '0';
  return true;
}
