import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROLES, roleHasPermission } from '../../domain/permissions';
import { permissionMatrixMarkdown } from '../../scripts/permission-matrix';
import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx.close());

const sampleUrl = (url: string) => url.replace(/:([A-Za-z]+)/g, (_m, name: string) => (/id$/i.test(name) ? '00000000-0000-4000-8000-000000000000' : 'sample'));

describe('role × route permissions', () => {
  it('registers a permission for every authenticated route', () => {
    expect(ctx.app.permissionCatalogue.length).toBeGreaterThanOrEqual(10);
  });

  it('answers 403 for every route a role lacks the permission for, and never 403 otherwise', async () => {
    const forbidden: string[] = [];
    const wronglyAllowed: string[] = [];
    const wronglyForbidden: string[] = [];
    for (const route of ctx.app.permissionCatalogue) {
      for (const role of ROLES) {
        const res = await ctx.app.inject({ method: route.method as 'GET', url: sampleUrl(route.url), headers: bearer(ctx.keys[role]), payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
        const label = `${role} ${route.method} ${route.url}`;
        if (!roleHasPermission(role, route.permission)) {
          forbidden.push(label);
          if (res.statusCode !== 403 || res.json().error.code !== 'FORBIDDEN') wronglyAllowed.push(`${label} -> ${res.statusCode}`);
        } else if (res.statusCode === 403) {
          wronglyForbidden.push(label);
        }
      }
    }
    expect(wronglyAllowed).toEqual([]);
    expect(wronglyForbidden).toEqual([]);
    expect(forbidden.length).toBeGreaterThan(0);
  });

  it('documents exactly this matrix in the README', () => {
    const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(permissionMatrixMarkdown());
  });
});
