// What GET /accounts/:id/leak-episodes answers (leaks.ts): shared with the pages (type-only).
import { Type } from '@sinclair/typebox';
import { Nullable } from '../schemas.js';

export const LeakEpisode = Type.Object({
  id: Type.String(),
  object: Type.Literal('leak_episode'),
  kind: Type.Union([Type.Literal('continuous'), Type.Literal('night_flow')]),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  meterSerial: Type.String(),
  startedAt: Type.String(),
  since: Type.String({ description: 'the local date the flow started' }),
  lastSeenAt: Type.String(),
  closedAt: Nullable(Type.String()),
  evidence: Type.Object(
    {
      unit: Type.String(),
      hours: Nullable(Type.Integer({ description: 'hours water ran without a dry hour' })),
      atLeast: Type.Boolean({ description: 'the run started before the data the check looked at' }),
      lowestHourly: Nullable(Type.String()),
      night: Nullable(Type.String()),
      nightLowest: Nullable(Type.String({ description: "last night's lowest hourly flow" })),
      nightNormal: Nullable(Type.String({ description: "the meter's usual lowest night hour (median)" })),
    },
    { additionalProperties: false },
  ),
});
