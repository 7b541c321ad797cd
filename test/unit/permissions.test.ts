import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { can, canGrant, PERMISSIONS, permissionsOf, ROLES, type Permission } from '../../shared/domain/permissions.ts';
import { routes } from '../../infra/topology.ts';

describe('permissions', () => {
  it('gives each role everything of the roles below it', () => {
    for (const [index, role] of ROLES.entries()) {
      for (const lower of ROLES.slice(0, index)) {
        for (const permission of permissionsOf(lower)) expect(can(role, permission)).toBe(true);
      }
    }
  });

  it('keeps viewers read-only and API keys for admins', () => {
    expect(permissionsOf('viewer')).toEqual(['crm:read']);
    expect(can('manager', 'admin')).toBe(false);
    expect(can('member', 'crm:manage')).toBe(false);
  });

  it('lets nobody grant a role above their own', () => {
    expect(canGrant('manager', 'admin')).toBe(false);
    expect(canGrant('admin', 'admin')).toBe(true);
  });

  it('has every route name a known permission or public', () => {
    for (const route of routes) expect(route.permission === 'public' || route.permission in PERMISSIONS).toBe(true);
  });

  it('matches the matrix written in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [permission, role] of Object.entries(PERMISSIONS) as [Permission, string][]) {
      expect(readme).toMatch(new RegExp(`\\| \`${permission}\` \\| ${role} \\|`));
    }
  });
});
