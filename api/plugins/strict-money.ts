// Money in a JSON body must be a JSON number. The API's Ajv coerces types (query strings and path params are
// text and need it), so without this "1000", true, null or [1000] would pass as 1000 cents. Every body field
// whose name ends in "cents" is checked against the body as sent, before validation, and refused by name.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

const isMoney = (name: string, s: Schema) =>
  /cents$/i.test(name) && (s.type === 'integer' || s.type === 'number');

/** The dotted path of the first money field in `value` that is not a JSON number, if any. */
export function moneyNotANumber(schema: Schema | undefined, value: unknown, at = ''): string | undefined {
  if (!schema || value === null || typeof value !== 'object') return undefined;
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    const found = moneyNotANumber(alt, value, at);
    if (found) return found;
  }
  if (Array.isArray(value)) {
    if (!schema.items) return undefined;
    for (const [i, v] of value.entries()) {
      const found = moneyNotANumber(schema.items, v, `${at}${i}.`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    const v = (value as Record<string, unknown>)[name];
    if (v === undefined) continue;
    if (isMoney(name, sub) && typeof v !== 'number') return `${at}${name}`;
    const found = moneyNotANumber(sub, v, `${at}${name}.`);
    if (found) return found;
  }
  return undefined;
}

export default fp(async function strictMoney(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    const field = moneyNotANumber(req.routeOptions.schema?.body as Schema | undefined, req.body);
    if (field)
      throw new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        `${field} must be a whole number of cents sent as a JSON number, not text`,
        field,
      );
  });
});
