/**
 * `.data/run/<name>.pid` for every process `npm start` runs, so a later start (or a person) can tell a
 * leftover of ours from someone else's process holding a port. Removed when the launcher stops cleanly.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface PidFiles {
  record(name: string, pid: number | undefined): void;
  /** Every recorded name → pid. */
  all(): Map<string, number>;
  clear(): void;
}

export function pidFiles(runDir: string): PidFiles {
  return {
    record(name, pid) {
      if (pid === undefined) return;
      mkdirSync(runDir, { recursive: true });
      writeFileSync(path.join(runDir, `${name}.pid`), `${pid}\n`);
    },
    all() {
      const found = new Map<string, number>();
      let entries: string[] = [];
      try {
        entries = readdirSync(runDir);
      } catch {
        return found;
      }
      for (const file of entries.filter((f) => f.endsWith('.pid'))) {
        const pid = Number(readFileSync(path.join(runDir, file), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0) found.set(file.replace(/\.pid$/, ''), pid);
      }
      return found;
    },
    clear() {
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
