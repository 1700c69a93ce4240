// One of an account's workflows as GET /accounts/:id/workflows lists it (bills.ts): shared with the staff
// console (type-only).
import { Type } from '@sinclair/typebox';

export const AccountWorkflow = Type.Object({
  workflowId: Type.String(),
  type: Type.String(),
  status: Type.String(),
  billStatus: Type.Union([Type.String(), Type.Null()]),
  startTime: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
});
