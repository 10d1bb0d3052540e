import { promises as fs } from 'node:fs';

export function smtpMailbox(port: number, overrides: Record<string, unknown> = {}) {
  return {
    provider: 'smtp',
    address: 'sales@crm.test',
    displayName: 'Sales Team',
    connected: true,
    syncEnabled: true,
    smtp: { host: '127.0.0.1', port, secure: false },
    ...overrides,
  };
}

export async function emlFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}
