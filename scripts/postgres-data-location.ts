/**
 * Where a private PostgreSQL cluster keeps its data when the launcher runs as root. PostgreSQL runs as
 * the `postgres` user, which must be able to walk every folder down to its data directory. A checkout
 * inside a private folder (mode 700, e.g. under /root or a `mktemp -d`) is out of its reach, so the
 * data goes to /var/lib/crm-workflows/<hash of the requested path> instead (stable, so the next start
 * finds it). Nothing of the user's own folders is opened up.
 */
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const RELOCATION_ROOT = '/var/lib/crm-workflows';

/** Whether uid/gid may traverse (x) every ancestor of `dir` that exists. */
export function canReach(dir: string, uid: number, gid: number): boolean {
  let current = path.resolve(dir);
  const ancestors: string[] = [];
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) break;
    ancestors.push(parent);
    current = parent;
  }
  return ancestors.every((folder) => {
    let st;
    try {
      st = statSync(folder);
    } catch {
      return true; // created by us below, with a traversable mode
    }
    if (st.uid === uid) return (st.mode & 0o100) !== 0;
    if (st.gid === gid) return (st.mode & 0o010) !== 0;
    return (st.mode & 0o001) !== 0;
  });
}

export function postgresDataLocation(requested: string, user: { uid: number; gid: number } | undefined): { dataDir: string; relocated: boolean } {
  if (!user || canReach(requested, user.uid, user.gid)) return { dataDir: requested, relocated: false };
  const hash = createHash('sha256').update(path.resolve(requested)).digest('hex').slice(0, 12);
  mkdirSync(RELOCATION_ROOT, { recursive: true, mode: 0o755 });
  chmodSync(RELOCATION_ROOT, 0o755);
  const dataDir = path.join(RELOCATION_ROOT, `postgres-${hash}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownSync(dataDir, user.uid, user.gid);
  return { dataDir, relocated: true };
}
