/**
 * `npm start` with the Salesforce emulator: a dev connector syncing it, created through the API (so
 * its loop starts like any connector's). The emulator starts empty on every `npm start`, so an existing
 * dev connector is pointed at it again and resynced: records of the previous run's org say CRM_DELETED.
 */
import { readFileSync } from 'node:fs';

export const DEV_CONNECTOR_NAME = 'Dev Salesforce (emulator)';

interface ConnectorSummary {
  id: string;
  name: string;
}

export async function ensureDevConnector(opts: { apiUrl: string; keysFile: string; salesforce: { loginUrl: string; clientId: string; clientSecret: string }; log: (msg: string) => void }): Promise<string> {
  const admin = (JSON.parse(readFileSync(opts.keysFile, 'utf8')) as { admin: string }).admin;
  const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${opts.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  const { items } = (await request('GET', '/v1/connectors?limit=200')) as { items: ConnectorSummary[] };
  const existing = items.find((c) => c.name === DEV_CONNECTOR_NAME);
  const settings = { loginUrl: opts.salesforce.loginUrl, clientId: opts.salesforce.clientId, clientSecret: opts.salesforce.clientSecret };
  if (existing) {
    await request('PATCH', `/v1/connectors/${existing.id}`, { settings });
    await request('POST', `/v1/connectors/${existing.id}/resume`);
    await request('POST', `/v1/connectors/${existing.id}/resync`);
    opts.log(`dev connector ${existing.id} points at the emulator again (resynced)`);
    return existing.id;
  }
  const created = (await request('POST', '/v1/connectors', {
    type: 'salesforce',
    name: DEV_CONNECTOR_NAME,
    settings: { ...settings, domainsField: 'Domains__c', filter: { object: 'Account', field: 'Type', values: ['Customer', 'Prospect'] } },
  })) as ConnectorSummary;
  opts.log(`created the dev connector ${created.id} (syncs the Salesforce emulator every 2 minutes)`);
  return created.id;
}
