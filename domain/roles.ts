// Staff roles, least to most power. Route groups (STAFF in api/plugins/auth.ts) are built from these.
export const ROLES = ['csr', 'billing_admin', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
