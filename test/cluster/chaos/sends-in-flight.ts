import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Db } from '../../../db/database';

/**
 * Sends one worker process is carrying out right now: it holds an open SMTP connection to the mail
 * server (the test's delaying proxy, so a conversation lasts about a second) while outbox rows are
 * `claimed`. Read from Linux's /proc: the process's socket inodes against the TCP table. (Sends run as
 * local activities inside workflow tasks, so Temporal lists no pending activity for them.) Killing
 * the worker while this is non-empty kills it mid-send.
 */
export async function sendsInFlightOn(db: Db, workerPid: number, smtpPort: number): Promise<number> {
  const claimed = await db.selectFrom('email_sends').select('id').where('status', '=', 'claimed').execute();
  if (claimed.length === 0) return 0;
  return smtpConnectionsOf(workerPid, smtpPort);
}

/** ESTABLISHED TCP connections of `pid` to 127.0.0.1:`port`. */
export function smtpConnectionsOf(pid: number, port: number): number {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0; // gone
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // local_address rem_address st … inode (field 9); 01 = ESTABLISHED.
    if (f[2] === remote && f[3] === '01' && inodes.has(f[9] ?? '')) n++;
  }
  return n;
}
