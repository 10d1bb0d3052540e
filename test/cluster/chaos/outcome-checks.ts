import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../../db/database';
import { readMessageId } from '../../../scripts/smtp-sink';

/**
 * The end state the chaos test demands, read from the outbox, the SMTP sink and the PSA: every email
 * step delivered exactly once, or `uncertain` and delivered at most once; never twice, never lost.
 */
export interface SendFigures {
  steps: number;
  sent: number;
  uncertain: number;
  /** Uncertain steps whose email did arrive (once). */
  uncertainDelivered: number;
  duplicates: number;
  lost: number;
  /** Messages in the sink the outbox does not know. */
  unknown: number;
  problems: string[];
}

async function sinkCounts(dir: string): Promise<{ byMessageId: Map<string, number>; dupFiles: number }> {
  const names = (await fs.readdir(dir)).filter((f) => f.endsWith('.eml'));
  const byMessageId = new Map<string, number>();
  for (const name of names) {
    const id = readMessageId(await fs.readFile(path.join(dir, name))) ?? name;
    byMessageId.set(id, (byMessageId.get(id) ?? 0) + 1);
  }
  return { byMessageId, dupFiles: names.filter((n) => n.includes('.dup-')).length };
}

export async function checkSends(db: Db, mailDir: string, enrollmentIds: string[], stepIds: string[]): Promise<SendFigures> {
  const rows = enrollmentIds.length === 0 ? [] : await db.selectFrom('email_sends').select(['enrollment_id', 'step_id', 'status', 'message_id']).where('enrollment_id', 'in', enrollmentIds).execute();
  const { byMessageId, dupFiles } = await sinkCounts(mailDir);
  const bare = (id: string) => id.replace(/^<|>$/g, '');
  const figures: SendFigures = { steps: 0, sent: 0, uncertain: 0, uncertainDelivered: 0, duplicates: dupFiles, lost: 0, unknown: 0, problems: [] };
  for (const enrollmentId of enrollmentIds) {
    for (const stepId of stepIds) {
      figures.steps++;
      const row = rows.find((r) => r.enrollment_id === enrollmentId && r.step_id === stepId);
      const copies = row ? (byMessageId.get(bare(row.message_id)) ?? 0) : 0;
      if (copies > 1) figures.problems.push(`${enrollmentId}/${stepId}: ${copies} copies`);
      if (row?.status === 'sent') {
        figures.sent++;
        if (copies === 0) {
          figures.lost++;
          figures.problems.push(`${enrollmentId}/${stepId}: sent but not in the sink`);
        }
      } else if (row?.status === 'uncertain') {
        figures.uncertain++;
        if (copies === 1) figures.uncertainDelivered++;
      } else {
        figures.lost++;
        figures.problems.push(`${enrollmentId}/${stepId}: status ${row?.status ?? 'missing'}`);
      }
    }
  }
  const known = new Set(rows.map((r) => bare(r.message_id)));
  figures.unknown = [...byMessageId.keys()].filter((id) => !known.has(id)).length;
  return figures;
}
