// cisflow command line. Today: `cisflow rate preview`, the bill calculator on its own.
//   cisflow rate preview --tariff FILE --usage FILE [--from DATE --to DATE] [--class NAME] [--param k=v ...]
// FILE formats: tariff .json (native cisflow.tariff/1 or OpenEI URDB) or .owrs (YAML); usage .json
// (UsageInput: {"usage": "22.5", "meterSize": "5/8\"", ...}), .csv intervals (start,minutes,value), or
// .xml Green Button (its first meter reading).
// Prints the lines and total as JSON; exits 2 with a one-line reason on bad input.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { centsToDecimal } from '../domain/decimal.js';
import { parseGreenButton, toRatingIntervals } from '../domain/import/greenbutton.js';
import { ImportError } from '../domain/import/urdb.js';
import { PreviewError, parseIntervalCsv, previewBill, type UsageInput } from '../domain/preview.js';
import { RatingError } from '../domain/rate-engine.js';
import { TariffError } from '../domain/tariff.js';
import { DATA_COMMANDS, runDataCommand } from './meter-data.js';

const USAGE =
  'usage: cisflow rate preview --tariff FILE --usage FILE [--from YYYY-MM-DD --to YYYY-MM-DD] [--class NAME] [--param key=value ...]';

export function run(argv: string[]): { code: number; out: string } {
  if (argv[0] !== 'rate' || argv[1] !== 'preview') return { code: 2, out: USAGE };
  let values: Record<string, string | string[] | undefined>;
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
    const usage: UsageInput = usagePath.endsWith('.csv')
      ? { intervals: parseIntervalCsv(usageText) }
      : usagePath.endsWith('.xml')
        ? greenButtonUsage(usageText)
        : JSON.parse(usageText);
    if (values.from) usage.from = values.from as string;
    if (values.to) usage.to = values.to as string;
    const params = Object.fromEntries(
      ((values.param as string[] | undefined) ?? []).map((p) => p.split('=') as [string, string]),
    );
    const result = previewBill({ tariff, customerClass: values.class as string | undefined, params }, usage);
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  // meter read imports and legacy migration talk to the database: see cli/meter-data.ts
  const { code, out } = DATA_COMMANDS.includes(argv[0] ?? '') ? await runDataCommand(argv) : run(argv);
  (code === 0 ? process.stdout : process.stderr).write(`${out}\n`);
  process.exit(code);
}
