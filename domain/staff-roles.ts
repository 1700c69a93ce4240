// Staff roles from a single sign-on provider's claim: the utility maps its directory's values (Entra app
// roles, Google groups) to cisflow roles. A claim may carry several values; the strongest mapped role wins.
import { ROLES, type Role } from './roles.js';

export type RoleMap = Readonly<Record<string, Role>>;

/** "Entra.Admin=admin,cis-csr=csr" → a map; a value naming no role is refused (a typo must fail loudly). */
export function parseRoleMap(text: string): RoleMap {
  const map: Record<string, Role> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const value = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at < 1 || !value) throw new RangeError(`"${pair}" is not claimValue=role`);
    if (!(ROLES as readonly string[]).includes(role))
      throw new RangeError(`"${role}" is not a role (${ROLES.join(', ')})`);
    map[value] = role as Role;
  }
  return map;
}

/** The role the claim maps to, or null when none of its values is mapped. */
export function roleFromClaim(claim: unknown, map: RoleMap): Role | null {
  const values = (Array.isArray(claim) ? claim : [claim]).filter((v): v is string => typeof v === 'string');
  const mapped = values.flatMap((v) => (Object.hasOwn(map, v) ? [map[v]!] : []));
  // ROLES runs from least to most power
  return mapped.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0] ?? null;
}
