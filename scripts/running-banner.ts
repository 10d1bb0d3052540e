import path from 'node:path';

/** The block a launcher prints once everything answers: where each part is, and how to stop it. */
export function runningBanner(opts: { title: string; apiUrls: string[]; temporal: string; keysFile: string; keysCreated: boolean; integrationLines: string[]; logDir: string; extraLines?: string[] }): string {
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  const apis = opts.apiUrls.flatMap((url, i) => {
    const label = opts.apiUrls.length > 1 ? `API ${i + 1}` : 'API';
    return [`  ${label.padEnd(13)} ${url}`];
  });
  const docs = opts.apiUrls[0];
  return [
    '',
    opts.title,
    ...apis,
    ...(docs ? [`  API docs      ${docs}/docs   (OpenAPI: ${docs}/openapi.json)`] : []),
    `  Temporal UI   ${opts.temporal}`,
    ...(opts.extraLines ?? []),
    `  API keys      ${rel(opts.keysFile)}${opts.keysCreated ? ' (created now: one key per role)' : ''}`,
    ...opts.integrationLines,
    `  Logs          ${rel(opts.logDir)}/`,
    '',
  ].join('\n');
}
