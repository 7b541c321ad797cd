/**
 * Who may do what. Roles are ordered: each one holds every permission of the roles below it.
 * The matrix is written out in README.md; a unit test keeps the two in step.
 */
export const ROLES = ['viewer', 'member', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** Read contacts, companies, timelines, tasks, segments, reports. */
  'crm:read': 'viewer',
  /** Create and edit contacts, companies, activities, relationships and tasks. */
  'crm:write': 'member',
  /** Archive records, merge duplicates, manage segments and run imports and exports. */
  'crm:manage': 'manager',
  /** Define custom fields, workflows and webhooks. */
  'schema:manage': 'manager',
  /** Erase a person (GDPR), manage API keys, operate the pipeline. */
  admin: 'admin',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function can(role: Role, permission: Permission): boolean {
  return roleRank(role) >= roleRank(PERMISSIONS[permission]);
}

/** Every permission a role holds, e.g. for `GET /v1/me`. */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((permission) => can(role, permission));
}

/** A principal may only hand out keys of its own rank or below. */
export function canGrant(granter: Role, granted: Role): boolean {
  return roleRank(granter) >= roleRank(granted);
}
