// Seeds a bench database in a process of its own, so the bench process's memory is the worker's alone.
// Run by bench/billrun.ts: tsx bench/seed-child.ts <url> <accounts> <today>
import { connect } from '../db/client.js';
import { seedDemo } from '../db/demo/seed.js';

const [url, n, today] = process.argv.slice(2);
const sql = connect(url!, { max: 4 });
await seedDemo(sql, {
  accounts: Number(n),
  months: 2,
  billedMonths: 1,
  cycles: 1,
  today: today!,
  seed: Number(n),
});
await sql.end();
