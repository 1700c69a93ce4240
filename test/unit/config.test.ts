import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, providerModes } from '../../lib/config.js';

describe('configuration', () => {
  it('runs in outbox mode with no provider keys', () => {
    const c = loadConfig({});
    expect(providerModes(c)).toEqual({ payments: 'outbox', sms: 'outbox', email: 'outbox' });
    expect(c.port).toBe(3000);
  });

  it('reports every problem at once, by variable name', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        TWILIO_ACCOUNT_SID: 'AC1',
        STRIPE_SECRET_KEY: 'pk_live_x',
        STRIPE_WEBHOOK_SECRET: 'whsec',
        STRIPE_PUBLISHABLE_KEY: 'sk_live_oops',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/PORT must be a whole number/);
      expect(msg).toMatch(/DATABASE_URL must use postgres/);
      expect(msg).toMatch(/Twilio is partly configured: set TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER/);
      expect(msg).toMatch(/STRIPE_SECRET_KEY must start with sk_/);
      expect(msg).toMatch(/STRIPE_PUBLISHABLE_KEY must start with pk_/);
    }
  });

  it("reads the bill message, in English and Spanish, and refuses one too long for the bill's box", () => {
    expect(loadConfig({}).billMessage).toEqual({ en: null, es: null });
    expect(
      loadConfig({ BILL_MESSAGE: ' Rates change Jan 1. ', BILL_MESSAGE_ES: 'Tarifas nuevas.' }).billMessage,
    ).toEqual({ en: 'Rates change Jan 1.', es: 'Tarifas nuevas.' });
    expect(() => loadConfig({ BILL_MESSAGE_ES: 'x'.repeat(601) })).toThrow(
      /BILL_MESSAGE_ES must be at most 600 characters \(got 601\)/,
    );
    expect(loadConfig({ BILL_MESSAGE: 'x'.repeat(600) }).billMessage.en).toHaveLength(600);
  });
});

describe('production', () => {
  const providers = {
    STRIPE_SECRET_KEY: 'sk_live_x',
    STRIPE_WEBHOOK_SECRET: 'whsec_x',
    TWILIO_ACCOUNT_SID: 'AC123',
    TWILIO_AUTH_TOKEN: 'token',
    TWILIO_FROM_NUMBER: '+15415550100',
    SENDGRID_API_KEY: 'SG.x',
    SENDGRID_FROM_EMAIL: 'billing@utility.test',
  };
  it('refuses to start in dev outbox mode, naming what is missing', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /NODE_ENV=production needs real providers, but payments, sms, email would use the dev outbox/,
    );
    // one provider missing is enough to refuse
    const { SENDGRID_API_KEY: _, SENDGRID_FROM_EMAIL: __, ...noEmail } = providers;
    expect(() => loadConfig({ NODE_ENV: 'production', ...noEmail })).toThrow(
      /but email would use the dev outbox: set SENDGRID_API_KEY, SENDGRID_FROM_EMAIL/,
    );
  });
  it('starts with every provider configured, and outbox mode still runs outside production', () => {
    expect(providerModes(loadConfig({ NODE_ENV: 'production', ...providers }))).toEqual({
      payments: 'stripe',
      sms: 'twilio',
      email: 'sendgrid',
    });
    expect(providerModes(loadConfig({ NODE_ENV: 'development' })).payments).toBe('outbox');
  });
});
