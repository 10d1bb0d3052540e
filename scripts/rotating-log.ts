/**
 * A child's log file under `.data/logs/`, rotated by size so a long-running `npm start` never fills the
 * disk: `<name>.log` is current; rotated files are kept gzipped, the newest few only.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

export const LOG_ROTATE_SIZE = '10M';
export const LOG_ROTATE_KEEP = 5;

export function rotatingLog(file: string, opts: { size?: string; maxFiles?: number } = {}): RotatingFileStream {
  mkdirSync(path.dirname(file), { recursive: true });
  return createStream(path.basename(file), { path: path.dirname(file), size: opts.size ?? LOG_ROTATE_SIZE, maxFiles: opts.maxFiles ?? LOG_ROTATE_KEEP, compress: 'gzip' });
}
