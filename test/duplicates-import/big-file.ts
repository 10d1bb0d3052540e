/**
 * Large CSV files for the scale tests, written as a stream into a temp dir (never built in memory):
 * 1 % of rows have an invalid address, 2 % repeat the address of the row before them (case changed).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { bearer } from '../harness/api';

export interface BigFile {
  rows: number;
  bad: number;
  duplicates: number;
  unique: number;
}

export const isBadRow = (i: number) => i % 100 === 99;
export const isDuplicateRow = (i: number) => i % 50 === 25;

export async function writeBigCsv(path: string, rows: number, domain: string): Promise<BigFile> {
  const out = createWriteStream(path);
  let chunk = 'email,firstName,lastName,timeZone,consent\n';
  let bad = 0;
  let duplicates = 0;
  for (let i = 0; i < rows; i++) {
    let email: string;
    if (isBadRow(i)) {
      email = `bad-${i}-at-${domain}`;
      bad++;
    } else if (isDuplicateRow(i)) {
      email = `P${i - 1}@${domain.toUpperCase()}`;
      duplicates++;
    } else email = `p${i}@${domain}`;
    chunk += `${email},First${i % 997},"Last, ${i % 1009}",Europe/Berlin,opted_in\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { rows, bad, duplicates, unique: rows - bad - duplicates };
}

/** Streams a file to the listening API as text/csv (chunked; the client never holds it either). */
export async function uploadFile(baseUrl: string, key: string, path: string, query = ''): Promise<{ status: number; body: { id: string } & Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/v1/imports${query}`, {
    method: 'POST',
    headers: { ...bearer(key), 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(path)) as unknown as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as { id: string } };
}
