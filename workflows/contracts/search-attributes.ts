// Search attributes operations filter on in the Temporal UI. Registered by dev/temporal.ts (the dev server)
// and workers/search-attributes.ts (an existing cluster).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const AccountNumber = defineSearchAttributeKey('AccountNumber', SearchAttributeType.KEYWORD);
export const BillingCycle = defineSearchAttributeKey('BillingCycle', SearchAttributeType.KEYWORD);
export const BillStatus = defineSearchAttributeKey('BillStatus', SearchAttributeType.KEYWORD);

/** All of them, for registration on a dev server or an existing cluster. */
export const SEARCH_ATTRIBUTES = [AccountNumber.name, BillingCycle.name, BillStatus.name] as const;
