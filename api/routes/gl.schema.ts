// What the GL export routes take and answer (gl.ts): shared with the staff console (type-only).
import { Type } from '@sinclair/typebox';
import { Cents, Nullable } from '../schemas.js';

const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: "a date in the utility's time zone",
});

export const GlMappingRow = Type.Object(
  {
    sourceKey: Type.String({
      minLength: 1,
      maxLength: 80,
      description:
        "a ledger account key: 'ar', 'revenue:water', 'revenue:water:commercial', 'cash_clearing:card', …",
    }),
    glAccount: Type.String({ minLength: 1, maxLength: 60 }),
    glName: Nullable(Type.String({ maxLength: 120 })),
  },
  { additionalProperties: false },
);

export const GlMapping = Type.Object({
  object: Type.Literal('gl.mapping'),
  mappings: Type.Array(GlMappingRow),
  postedLedgerAccounts: Type.Array(Type.String(), {
    description: 'ledger accounts with postings: each must map',
  }),
});

export const PutGlMapping = Type.Object(
  { mappings: Type.Array(GlMappingRow, { maxItems: 500 }) },
  { additionalProperties: false },
);

export const JournalQuery = Type.Object({ from: Day, to: Day }, { additionalProperties: false });

const Line = Type.Object({
  category: Type.String(),
  sourceKey: Type.String(),
  glAccount: Type.String(),
  glName: Nullable(Type.String()),
  debitCents: Cents,
  creditCents: Cents,
});

export const GlJournals = Type.Object({
  object: Type.Literal('gl.journals'),
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(
    Type.Object({ day: Type.String(), debitCents: Cents, creditCents: Cents, lines: Type.Array(Line) }),
  ),
});

export const CreateGlExport = Type.Object(
  {
    from: Day,
    to: Day,
    format: Type.Union([Type.Literal('csv'), Type.Literal('iif')]),
    reexport: Type.Optional(
      Type.Boolean({
        description: 'true to export days already exported; the batch is recorded as a re-export',
      }),
    ),
  },
  { additionalProperties: false },
);

export const GlExportBatch = Type.Object({
  object: Type.Literal('gl.export_batch'),
  id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  format: Type.String(),
  reexport: Type.Boolean(),
  checksum: Type.String({ description: 'sha256 of the file, hex' }),
  lineCount: Type.Integer(),
  debitCents: Cents,
  exportedBy: Nullable(Type.String()),
  exportedAt: Type.String({ format: 'date-time' }),
});

export const GlExportCreated = Type.Intersect([GlExportBatch, Type.Object({ content: Type.String() })]);

export const ArRollForward = Type.Object({
  object: Type.Literal('report.ar_roll_forward'),
  month: Type.String(),
  from: Type.String(),
  to: Type.String(),
  openingCents: Cents,
  billedCents: Cents,
  paidCents: Cents,
  adjustmentsCents: Cents,
  writeOffsCents: Cents,
  depositsCents: Cents,
  refundsCents: Cents,
  conversionsCents: Cents,
  closingCents: Cents,
  ledgerClosingCents: Cents,
  reconciles: Type.Boolean(),
});
