// The one error map (api/plugins/errors.ts): what a route or db/ function throws, as the caller sees it.

import {
  ScheduleNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.js';
import errors, { CONFLICT_CODES } from '../../api/plugins/errors.js';
import { Refused } from '../../db/refused.js';
import { ImportError } from '../../domain/import/urdb.js';
import { PreviewError } from '../../domain/preview.js';
import { RatingError } from '../../domain/rate-engine.js';
import { TariffError } from '../../domain/tariff.js';

async function answer(thrown: unknown) {
  const app = Fastify();
  await app.register(errors);
  app.get('/', async () => {
    throw thrown;
  });
  const res = await app.inject({ method: 'GET', url: '/' });
  const { request_id, ...error } = res.json().error;
  return { status: res.statusCode, error };
}

describe('the error map', () => {
  it('answers a refusal 404 when missing, 409 for a conflict code, else 400, naming code and field', async () => {
    expect(await answer(new Refused("No such payment: 'pay_1'", 'resource_missing', 'id'))).toEqual({
      status: 404,
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: "No such payment: 'pay_1'",
        param: 'id',
      },
    });
    for (const code of CONFLICT_CODES)
      expect(await answer(new Refused('no', code, 'x'))).toMatchObject({ status: 409, error: { code } });
    expect(await answer(new Refused('too many', 'parameter_invalid', 'installments'))).toEqual({
      status: 400,
      error: {
        type: 'invalid_request_error',
        code: 'parameter_invalid',
        message: 'too many',
        param: 'installments',
      },
    });
    // a subclass is a refusal too, and a refusal without a field names none
    class ArrangementRefused extends Refused {}
    expect(await answer(new ArrangementRefused('nothing is past due', 'arrangement_not_eligible'))).toEqual({
      status: 400,
      error: {
        type: 'invalid_request_error',
        code: 'arrangement_not_eligible',
        message: 'nothing is past due',
      },
    });
  });

  it('answers tariff, import, preview and rating errors as the 400 the rates routes always gave', async () => {
    expect(await answer(new TariffError('charges[0].rate', 'must be a decimal string'))).toEqual({
      status: 400,
      error: {
        type: 'invalid_request_error',
        code: 'tariff_invalid',
        message: 'tariff.charges[0].rate: must be a decimal string',
        param: 'tariff.charges[0].rate',
      },
    });
    expect(await answer(new ImportError('items[0]', 'no rate'))).toMatchObject({
      status: 400,
      error: { code: 'tariff_unsupported', message: 'items[0]: no rate', param: 'tariff' },
    });
    expect(await answer(new PreviewError('usage.from', 'must be a date'))).toMatchObject({
      status: 400,
      error: { code: 'parameter_invalid', message: 'must be a date', param: 'usage.from' },
    });
    expect(await answer(new RatingError('no_tier', 'no tier for 5 kWh'))).toEqual({
      status: 400,
      error: { type: 'invalid_request_error', code: 'no_tier', message: 'no tier for 5 kWh' },
    });
  });

  it("answers Temporal's failures a route did not expect: missing is 404, refused or running is 409", async () => {
    expect(await answer(new WorkflowNotFoundError('not found', 'bill-1', undefined))).toMatchObject({
      status: 404,
      error: { code: 'resource_missing', message: "No such workflow: 'bill-1'" },
    });
    expect(await answer(new ScheduleNotFoundError('not found', 'bill-run-c1'))).toMatchObject({
      status: 404,
      error: { code: 'resource_missing', message: "No such schedule: 'bill-run-c1'" },
    });
    const refused = ApplicationFailure.create({ message: 'this bill is billed, not held', type: 'Error' });
    expect(await answer(new WorkflowUpdateFailedError('Workflow Update failed', refused))).toMatchObject({
      status: 409,
      error: { code: 'update_refused', message: 'this bill is billed, not held' },
    });
    expect(
      await answer(new WorkflowExecutionAlreadyStartedError('started', 'run-1', 'billRun')),
    ).toMatchObject({
      status: 409,
      error: { code: 'resource_exists', message: "Already running: 'run-1'" },
    });
  });

  it('passes an ApiError through, keeps PostgreSQL codes, and hides anything else as a logged 500', async () => {
    expect(
      await answer(new ApiError(402, 'invalid_request_error', 'card_declined', 'declined', 'card')),
    ).toEqual({
      status: 402,
      error: { type: 'invalid_request_error', code: 'card_declined', message: 'declined', param: 'card' },
    });
    expect(
      await answer(
        Object.assign(new Error('dup'), { code: '23505', detail: 'Key (id)=(a) already exists.' }),
      ),
    ).toMatchObject({ status: 409, error: { code: 'resource_exists' } });
    expect(await answer(new Error('secret internals'))).toEqual({
      status: 500,
      error: {
        type: 'api_error',
        code: 'internal_error',
        message: 'Something went wrong on our side. It has been logged.',
      },
    });
  });
});
