// Environment is read and validated once, at startup, so a typo fails loudly before anything listens.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTimeZone } from '../domain/import/local-time.js';
import { parseRoleMap, type RoleMap } from '../domain/staff-roles.js';
import {
  brandColorProblem,
  FIELD_MAX,
  type ImageType,
  imageType,
  LOGO_MAX_BYTES,
} from '../domain/utility-settings.js';
import { parseKey } from './secret-box.js';

/** Who the bill and the portal say it is from, and how to reach them (UTILITY_*). */
export interface UtilityProfile {
  name: string;
  /** where mailed payments go: the remittance stub's address, one line each (UTILITY_REMIT_TO, ";" between) */
  remitTo: string[];
  phone: string | null;
  website: string | null;
  emergencyPhone: string | null;
  officeHours: string | null;
  /** a PNG or JPEG printed on the bill and shown in the portal's header: the UTILITY_LOGO file, or as saved */
  logo: { path: string; type: ImageType } | { data: Uint8Array; type: ImageType } | null;
  /** `#rrggbb` for the header, buttons and links; white text on it must reach WCAG AA (UTILITY_BRAND_COLOR) */
  brandColor: string;
  /** the office's address, a line each (saved settings only) */
  address?: string[];
  /** what the bill says about paying late (saved settings only) */
  lateFeeText?: string | null;
}

/** The demo utility's profile: fictional (555 numbers, a reserved domain), printed until UTILITY_* are set. */
export const DEMO_UTILITY: UtilityProfile = {
  name: 'cisflow demo utility',
  remitTo: ['cisflow demo utility', 'PO Box 4100', 'Springfield, OR 97477-0410'],
  phone: '(541) 555-0100',
  website: 'https://utility.example.org',
  emergencyPhone: '(541) 555-0199',
  officeHours: 'Mon–Fri 8 am – 5 pm',
  logo: { path: fileURLToPath(new URL('../portal/brand/demo-logo.png', import.meta.url)), type: 'image/png' },
  brandColor: '#0b5cad',
};
const UTILITY_FIELD_MAX = FIELD_MAX;

export interface Config {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  logLevel: string;
  temporal: {
    address?: string;
    namespace: string;
    uiUrl?: string;
    cliPath?: string;
  };
  stripe?: { secretKey: string; webhookSecret: string };
  twilio?: { accountSid: string; authToken: string; fromNumber: string };
  sendgrid?: { apiKey: string; fromEmail: string };
  /** SendGrid signed event webhook: the verification key (base64 DER public key) from SendGrid's settings */
  sendgridWebhookPublicKey?: string;
  demoAccounts: number;
  /** IANA zone for meter files that write local times (UTILITY_TIME_ZONE, default UTC) */
  utilityTimeZone: string;
  /** head-end name -> HMAC secret for the AMI push API (HEADEND_SECRETS="name=secret,…") */
  headEndSecrets: Record<string, string>;
  /** a folder the worker watches for meter read files (METER_DROP_DIR) */
  meterDropDir?: string;
  /** the message printed on every bill (BILL_MESSAGE, and BILL_MESSAGE_ES for Spanish bills) */
  billMessage: { en: string | null; es: string | null };
  utility: UtilityProfile;
  /** lets a scraper beyond this machine read /metrics (METRICS_TOKEN, 32+ characters) */
  metricsToken?: string;
  /** the worker's /metrics port (WORKER_METRICS_PORT, default 9464; 0 turns it off) */
  workerMetricsPort: number;
  /** whole months of interval data kept before the current one (INTERVAL_RETENTION_MONTHS, default 24) */
  intervalRetentionMonths: number;
  /** staff TOTP secrets are sealed with this key (TOTP_ENCRYPTION_KEY, 32 bytes as hex or base64) */
  totpKey?: Buffer;
  /** staff single sign-on (OIDC_*): off unless the issuer, client id and secret are all set */
  oidc?: OidcConfig;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** the ID token (or userinfo) claim that carries the staff member's directory role or groups */
  roleClaim: string;
  /** claim value -> cisflow role (OIDC_ROLE_MAP="Cis.Admin=admin,cis-csr=csr") */
  roleMap: RoleMap;
}

/** Every variable the app reads. docker-compose.yml and the README must only use these. */
export const ENV_VARS = [
  'DATABASE_URL',
  'CISFLOW_DATA_DIR',
  'HOST',
  'PORT',
  'PUBLIC_URL',
  'LOG_LEVEL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_UI_URL',
  'TEMPORAL_CLI_PATH',
  'TEMPORAL_CLI_DOWNLOAD_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_PUBLISHABLE_KEY',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_FROM_NUMBER',
  'SENDGRID_API_KEY',
  'SENDGRID_FROM_EMAIL',
  'SENDGRID_WEBHOOK_PUBLIC_KEY',
  'DEMO_ACCOUNTS',
  'UTILITY_TIME_ZONE',
  'HEADEND_SECRETS',
  'METER_DROP_DIR',
  'BILL_MESSAGE',
  'BILL_MESSAGE_ES',
  'UTILITY_NAME',
  'UTILITY_REMIT_TO',
  'UTILITY_PHONE',
  'UTILITY_WEBSITE',
  'UTILITY_EMERGENCY_PHONE',
  'UTILITY_OFFICE_HOURS',
  'UTILITY_LOGO',
  'UTILITY_BRAND_COLOR',
  'WORKER_HEAP_MB',
  'METRICS_TOKEN',
  'WORKER_METRICS_PORT',
  'INTERVAL_RETENTION_MONTHS',
  'TOTP_ENCRYPTION_KEY',
  'OIDC_ISSUER_URL',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_ROLE_CLAIM',
  'OIDC_ROLE_MAP',
  'NODE_ENV',
] as const;

const BILL_MESSAGE_MAX = 600;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (k: string) => {
    const v = env[k]?.trim();
    return v ? v : undefined;
  };
  const int = (k: string, dflt: number, min: number, max: number) => {
    const raw = str(k);
    if (raw === undefined) return dflt;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${k} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return dflt;
    }
    return Number(raw);
  };
  const url = (k: string, protocols: string[]) => {
    const raw = str(k);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol))
        problems.push(`${k} must use ${protocols.join(' or ')} (got "${u.protocol}")`);
    } catch {
      problems.push(`${k} is not a valid URL`);
    }
    return raw;
  };
  // Provider credentials come in groups: half a group is a mistake, none is outbox mode.
  const group = <T>(name: string, keys: string[], build: (v: string[]) => T): T | undefined => {
    const values = keys.map(str);
    const set = values.filter((v) => v !== undefined).length;
    if (set === 0) return undefined;
    if (set < keys.length) {
      const missing = keys.filter((_, i) => values[i] === undefined);
      problems.push(
        `${name} is partly configured: set ${missing.join(', ')} too, or unset all of ${keys.join(', ')}`,
      );
      return undefined;
    }
    return build(values as string[]);
  };

  const port = int('PORT', 3000, 1, 65535);
  const host = str('HOST') ?? '127.0.0.1';
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const temporalAddress = str('TEMPORAL_ADDRESS');
  if (temporalAddress && !/^[\w.-]+:\d+$/.test(temporalAddress)) {
    problems.push(`TEMPORAL_ADDRESS must be host:port (got "${temporalAddress}")`);
  }
  const logLevel = str('LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`,
    );
  }
  const stripe = group(
    'Stripe',
    ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
    ([secretKey, webhookSecret]) => ({
      secretKey: secretKey!,
      webhookSecret: webhookSecret!,
    }),
  );
  if (stripe && !/^(sk|rk)_/.test(stripe.secretKey))
    problems.push('STRIPE_SECRET_KEY must start with sk_ or rk_');
  // the portal loads Stripe.js with it (GET /portal/config.json); a secret key here would be published
  const publishable = str('STRIPE_PUBLISHABLE_KEY');
  if (publishable && !publishable.startsWith('pk_'))
    problems.push('STRIPE_PUBLISHABLE_KEY must start with pk_ (never put a secret key here)');
  const twilio = group(
    'Twilio',
    ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'],
    ([accountSid, authToken, fromNumber]) => ({
      accountSid: accountSid!,
      authToken: authToken!,
      fromNumber: fromNumber!,
    }),
  );
  if (twilio && !twilio.accountSid.startsWith('AC')) problems.push('TWILIO_ACCOUNT_SID must start with AC');
  const sendgrid = group('SendGrid', ['SENDGRID_API_KEY', 'SENDGRID_FROM_EMAIL'], ([apiKey, fromEmail]) => ({
    apiKey: apiKey!,
    fromEmail: fromEmail!,
  }));

  const config: Config = {
    databaseUrl,
    dataDir: path.resolve(str('CISFLOW_DATA_DIR') ?? '.data'),
    host,
    port,
    publicUrl:
      url('PUBLIC_URL', ['http:', 'https:']) ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    logLevel,
    temporal: {
      address: temporalAddress,
      namespace: str('TEMPORAL_NAMESPACE') ?? 'default',
      uiUrl: url('TEMPORAL_UI_URL', ['http:', 'https:']),
      cliPath: str('TEMPORAL_CLI_PATH'),
    },
    stripe,
    twilio,
    sendgrid,
    sendgridWebhookPublicKey: str('SENDGRID_WEBHOOK_PUBLIC_KEY'),
    demoAccounts: int('DEMO_ACCOUNTS', 2000, 0, 100_000),
    utilityTimeZone: str('UTILITY_TIME_ZONE') ?? 'UTC',
    headEndSecrets: {},
    meterDropDir: str('METER_DROP_DIR') ? path.resolve(str('METER_DROP_DIR')!) : undefined,
    billMessage: { en: str('BILL_MESSAGE') ?? null, es: str('BILL_MESSAGE_ES') ?? null },
    utility: utilityProfile(str, url, problems),
    metricsToken: str('METRICS_TOKEN'),
    workerMetricsPort: int('WORKER_METRICS_PORT', 9464, 0, 65535),
    intervalRetentionMonths: int('INTERVAL_RETENTION_MONTHS', 24, 1, 1200),
  };
  try {
    const key = str('TOTP_ENCRYPTION_KEY');
    if (key) config.totpKey = parseKey(key);
  } catch (e) {
    problems.push(`TOTP_ENCRYPTION_KEY: ${(e as Error).message}`);
  }
  config.oidc = oidcConfig(str, url, problems);
  if (config.metricsToken && config.metricsToken.length < 32)
    problems.push(`METRICS_TOKEN must be at least 32 characters (got ${config.metricsToken.length})`);
  // the message box on the bill's first page holds about six lines
  for (const k of ['BILL_MESSAGE', 'BILL_MESSAGE_ES'])
    if ((str(k)?.length ?? 0) > BILL_MESSAGE_MAX)
      problems.push(`${k} must be at most ${BILL_MESSAGE_MAX} characters (got ${str(k)!.length})`);
  if (!isTimeZone(config.utilityTimeZone))
    problems.push(
      `UTILITY_TIME_ZONE must be an IANA time zone such as America/Chicago (got "${config.utilityTimeZone}")`,
    );
  try {
    config.headEndSecrets = parseHeadEndSecrets(str('HEADEND_SECRETS'));
  } catch (e) {
    problems.push((e as Error).message);
  }
  // outbox mode writes messages to a table and lets payments "succeed" with no gateway: demos only
  if (str('NODE_ENV') === 'production') {
    const outbox = Object.entries(providerModes(config)).filter(([, mode]) => mode === 'outbox');
    if (outbox.length)
      problems.push(
        `NODE_ENV=production needs real providers, but ${outbox.map(([what]) => what).join(', ')} would use the dev outbox: set ${[
          ...(config.stripe ? [] : ['STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET']),
          ...(config.twilio ? [] : ['TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER']),
          ...(config.sendgrid ? [] : ['SENDGRID_API_KEY, SENDGRID_FROM_EMAIL']),
        ].join(', ')} (or run with NODE_ENV unset for a demo)`,
      );
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function oidcConfig(
  str: (k: string) => string | undefined,
  url: (k: string, p: string[]) => string | undefined,
  problems: string[],
): OidcConfig | undefined {
  const issuer = url('OIDC_ISSUER_URL', ['https:', 'http:']);
  const clientId = str('OIDC_CLIENT_ID');
  const clientSecret = str('OIDC_CLIENT_SECRET');
  if (!issuer && !clientId && !clientSecret) return undefined;
  if (!issuer || !clientId || !clientSecret) {
    problems.push('single sign-on needs OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together');
    return undefined;
  }
  try {
    const roleMap = parseRoleMap(str('OIDC_ROLE_MAP') ?? '');
    if (!Object.keys(roleMap).length)
      problems.push('OIDC_ROLE_MAP must map at least one claim value to a role');
    return { issuer, clientId, clientSecret, roleClaim: str('OIDC_ROLE_CLAIM') ?? 'roles', roleMap };
  } catch (e) {
    problems.push(`OIDC_ROLE_MAP: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * HEADEND_SECRETS: comma-separated `name=secret` pairs, one per head-end allowed to push reads. Each secret
 * must be at least 32 characters; names are letters, digits, `-` and `_`.
 */
export function parseHeadEndSecrets(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw?.trim()) return out;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const secret = pair.slice(eq + 1).trim();
    if (eq < 1 || !/^[\w-]{1,40}$/.test(name))
      throw new Error(
        'HEADEND_SECRETS must be name=secret pairs separated by commas (names: letters, digits, - and _)',
      );
    if (secret.length < 32)
      throw new Error(`HEADEND_SECRETS: the secret for ${name} must be at least 32 characters`);
    out[name] = secret;
  }
  return out;
}

/** Which providers run for real and which write to the dev outbox instead. */
export function providerModes(c: Config) {
  return {
    payments: c.stripe ? 'stripe' : 'outbox',
    sms: c.twilio ? 'twilio' : 'outbox',
    email: c.sendgrid ? 'sendgrid' : 'outbox',
  } as const;
}

/**
 * The utility's profile from UTILITY_*: each field set replaces the demo's; a name set without a remit-to
 * address is refused, so a real utility's bill never sends payments to the demo's PO box.
 */
function utilityProfile(
  str: (k: string) => string | undefined,
  url: (k: string, protocols: string[]) => string | undefined,
  problems: string[],
): UtilityProfile {
  const keys = [
    'UTILITY_NAME',
    'UTILITY_REMIT_TO',
    'UTILITY_PHONE',
    'UTILITY_EMERGENCY_PHONE',
    'UTILITY_OFFICE_HOURS',
  ];
  for (const k of keys)
    if ((str(k)?.length ?? 0) > (k === 'UTILITY_REMIT_TO' ? 3 * UTILITY_FIELD_MAX : UTILITY_FIELD_MAX))
      problems.push(`${k} is too long for the bill (got ${str(k)!.length} characters)`);
  const name = str('UTILITY_NAME');
  const remitTo = str('UTILITY_REMIT_TO')
    ?.split(';')
    .map((l) => l.trim())
    .filter(Boolean);
  if (name && !remitTo?.length)
    problems.push(
      'UTILITY_REMIT_TO must be set with UTILITY_NAME: the address mailed payments go to, lines separated by ";"',
    );
  if (remitTo && remitTo.length > 4)
    problems.push(`UTILITY_REMIT_TO has at most 4 lines (got ${remitTo.length})`);
  const own = <K extends keyof UtilityProfile>(k: K, v: UtilityProfile[K] | undefined) =>
    v === undefined ? (name ? null : DEMO_UTILITY[k]) : v;
  return {
    name: name ?? DEMO_UTILITY.name,
    remitTo: remitTo?.length ? remitTo : DEMO_UTILITY.remitTo,
    phone: own('phone', str('UTILITY_PHONE')),
    website: own('website', url('UTILITY_WEBSITE', ['https:', 'http:'])),
    emergencyPhone: own('emergencyPhone', str('UTILITY_EMERGENCY_PHONE')),
    officeHours: own('officeHours', str('UTILITY_OFFICE_HOURS')),
    logo: str('UTILITY_LOGO') ? logoFile(str('UTILITY_LOGO')!, problems) : name ? null : DEMO_UTILITY.logo,
    brandColor: brandColor(str('UTILITY_BRAND_COLOR'), problems),
  };
}

/** UTILITY_LOGO: an existing PNG or JPEG (pdfkit prints only these), told apart by its first bytes. */
function logoFile(file: string, problems: string[]): UtilityProfile['logo'] {
  const full = path.resolve(file);
  let head: Buffer;
  try {
    const size = statSync(full).size;
    if (size > LOGO_MAX_BYTES) {
      problems.push(
        `UTILITY_LOGO must be at most ${LOGO_MAX_BYTES / 1024} KB (got ${Math.ceil(size / 1024)} KB)`,
      );
      return null;
    }
    head = Buffer.alloc(8);
    const fd = openSync(full, 'r');
    readSync(fd, head, 0, 8, 0);
    closeSync(fd);
  } catch {
    problems.push(`UTILITY_LOGO must be a readable PNG or JPEG file (cannot read ${full})`);
    return null;
  }
  const type = imageType(head);
  if (type) return { path: full, type };
  problems.push(`UTILITY_LOGO must be a PNG or JPEG file (${full} is neither)`);
  return null;
}

/** UTILITY_BRAND_COLOR: `#rrggbb`, dark enough that white text on it is readable (WCAG AA, 4.5:1). */
function brandColor(raw: string | undefined, problems: string[]): string {
  if (raw === undefined) return DEMO_UTILITY.brandColor;
  const problem = brandColorProblem(raw);
  if (problem) problems.push(`UTILITY_BRAND_COLOR ${problem}`);
  return problem ? DEMO_UTILITY.brandColor : raw.toLowerCase();
}
