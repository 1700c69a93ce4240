// One place that opens PostgreSQL connections, so every process gets the same settings.
import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;

export function connect(url: string, opts: { max?: number; appName?: string } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    // snake_case columns <-> camelCase fields; JSON values are left exactly as stored.
    transform: { column: { from: postgres.toCamel, to: postgres.fromCamel }, undefined: null },
    // bigint (int8) columns hold cents; they come back as JS numbers only while exact.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (x: bigint | number) => x.toString(),
        parse: (x: string) => {
          const n = Number(x);
          if (!Number.isSafeInteger(n)) throw new RangeError(`int8 ${x} exceeds the exact integer range`);
          return n;
        },
      },
    },
    connection: { application_name: opts.appName ?? 'cisflow' },
  }) as unknown as Sql;
}

/** Answers once PostgreSQL does (readiness). */
export async function ping(sql: Sql) {
  await sql`select 1`;
}
