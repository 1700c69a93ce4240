// One staff search hit (GET /search): shared with the staff console (type-only).
import { Type } from '@sinclair/typebox';
import { Cents } from '../schemas.js';

export const SearchHit = Type.Object({
  object: Type.Literal('account'),
  id: Type.String(),
  accountNumber: Type.String(),
  customerName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  balanceCents: Cents,
  matchedOn: Type.Array(Type.String(), {
    description: 'what matched: account_number, name, address, meter, phone',
  }),
});
