import { PERMISSIONS, ROLES, roleHasPermission, type Permission } from '../domain/permissions';

/** The README's permission matrix, generated from domain/permissions.ts (a test keeps them equal). */
export function permissionMatrixMarkdown(): string {
  const header = `| permission | what it allows | ${ROLES.join(' | ')} |`;
  const rule = `|---|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map((p) => `| \`${p}\` | ${PERMISSIONS[p]} | ${ROLES.map((r) => (roleHasPermission(r, p) ? '✓' : '—')).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

if (require.main === module) console.log(permissionMatrixMarkdown());
