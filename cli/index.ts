// cisflow command line. Today: `cisflow rate preview`, the bill calculator on its own.
//   cisflow rate preview --tariff FILE --usage FILE [--from DATE --to DATE] [--class NAME] [--param k=v ...]
// FILE formats: tariff .json (native cisflow.tariff/1 or OpenEI URDB) or .owrs (YAML); usage .json
// (UsageInput: {"usage": "22.5", "meterSize": "5/8\"", ...}), .csv intervals (start,minutes,value), or
// .xml Green Button (its first meter reading).
// Prints the lines and total as JSON; exits 2 with a one-line reason on bad input.
//   cisflow rate preview --year --tariff FILE --usage FILE [--net-metering FILE]
// rates each calendar month of a year of load plus generation: a CSV with delivered and received columns
// (start,minutes,delivered,received) or a Green Button file with a delivered (flowDirection 1) and a
// received (flowDirection 19) reading; prints the monthly bills and the annual total. Net metering settings
// come from --net-metering (JSON) or the native tariff's own `netMetering` object.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { centsToDecimal } from '../domain/decimal.js';
import { parseGreenButton, toRatingIntervals } from '../domain/import/greenbutton.js';
import { ImportError } from '../domain/import/urdb.js';
import { PreviewError, parseIntervalCsv, previewBill, type UsageInput } from '../domain/preview.js';
import { parseChannelCsv, previewYear } from '../domain/preview-year.js';
import { RatingError } from '../domain/rate-engine.js';
import { TariffError } from '../domain/tariff.js';
import { DATA_COMMANDS, runDataCommand } from './meter-data.js';

const USAGE = [
  'usage: cisflow rate preview --tariff FILE --usage FILE [--from YYYY-MM-DD --to YYYY-MM-DD] [--class NAME] [--param key=value ...]',
  '       cisflow rate preview --year --tariff FILE --usage FILE.csv|FILE.xml [--net-metering FILE.json]',
].join('\n');

export function run(argv: string[]): { code: number; out: string } {
  if (argv[0] !== 'rate' || argv[1] !== 'preview') return { code: 2, out: USAGE };
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv.slice(2),
      options: {
        tariff: { type: 'string' },
        usage: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        class: { type: 'string' },
        param: { type: 'string', multiple: true },
        year: { type: 'boolean' },
        'net-metering': { type: 'string' },
      },
    }));
  } catch (e) {
    return { code: 2, out: `${(e as Error).message}\n${USAGE}` };
  }
  if (!values.tariff || !values.usage) return { code: 2, out: USAGE };
  try {
    const tariffPath = values.tariff as string;
    const tariffText = readFileSync(tariffPath, 'utf8');
    const tariff =
      tariffPath.endsWith('.owrs') || tariffPath.endsWith('.yaml') || tariffPath.endsWith('.yml')
        ? tariffText
        : JSON.parse(tariffText);
    const usagePath = values.usage as string;
    const usageText = readFileSync(usagePath, 'utf8');
    const params = Object.fromEntries(
      ((values.param as string[] | undefined) ?? []).map((p) => p.split('=') as [string, string]),
    );
    const src = { tariff, customerClass: values.class as string | undefined, params };
    if (values.year) {
      const ch = usagePath.endsWith('.xml') ? greenButtonChannels(usageText) : parseChannelCsv(usageText);
      const nem = values['net-metering']
        ? JSON.parse(readFileSync(values['net-metering'] as string, 'utf8'))
        : undefined;
      return { code: 0, out: JSON.stringify(previewYear(src, ch.delivered, ch.received, nem), null, 2) };
    }
    const usage: UsageInput = usagePath.endsWith('.csv')
      ? { intervals: parseIntervalCsv(usageText) }
      : usagePath.endsWith('.xml')
        ? greenButtonUsage(usageText)
        : JSON.parse(usageText);
    if (values.from) usage.from = values.from as string;
    if (values.to) usage.to = values.to as string;
    const result = previewBill(src, usage);
    return {
      code: 0,
      out: JSON.stringify({ ...result, total: centsToDecimal(result.totalCents) }, null, 2),
    };
  } catch (e) {
    if (
      e instanceof TariffError ||
      e instanceof ImportError ||
      e instanceof RatingError ||
      e instanceof PreviewError ||
      e instanceof SyntaxError
    ) {
      return { code: 2, out: `cisflow: ${e.message}` };
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      return { code: 2, out: `cisflow: no such file: ${(e as NodeJS.ErrnoException).path}` };
    throw e;
  }
}

/** The first meter reading of the first usage point in a Green Button file, as interval usage. */
function greenButtonUsage(xml: string): UsageInput {
  const reading = parseGreenButton(xml).usagePoints[0]?.meterReadings[0];
  if (!reading?.intervals.length)
    throw new PreviewError('usage', 'the Green Button file has no interval readings');
  return { intervals: toRatingIntervals(reading) };
}

/** A Green Button file's delivered (flowDirection 1, or unmarked) and received (19) readings. */
function greenButtonChannels(xml: string) {
  const readings = parseGreenButton(xml).usagePoints.flatMap((u) => u.meterReadings);
  const delivered = readings.filter((r) => r.flowDirection === 1 || r.flowDirection === undefined);
  const received = readings.filter((r) => r.flowDirection === 19);
  if (delivered.length !== 1 || received.length > 1)
    throw new PreviewError(
      'usage',
      `a year preview needs one delivered (flowDirection 1) and at most one received (flowDirection 19) reading; the file has ${delivered.length} and ${received.length}`,
    );
  return {
    delivered: toRatingIntervals(delivered[0]!),
    received: received[0] ? toRatingIntervals(received[0]) : [],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  // meter read imports and legacy migration talk to the database: see cli/meter-data.ts
  const { code, out } = DATA_COMMANDS.includes(argv[0] ?? '') ? await runDataCommand(argv) : run(argv);
  (code === 0 ? process.stdout : process.stderr).write(`${out}\n`);
  process.exit(code);
}
