/** describe and limits. */
import type { ClientCore } from './core';
import type { ObjectDescription, OrgLimits } from './types';
import { DescribeWire, LimitsWire } from './wire';

export async function describe(core: ClientCore, object: string): Promise<ObjectDescription> {
  const d = core.parse(DescribeWire, await core.call((conn) => conn.describe(object)), 'describe');
  return {
    name: d.name,
    keyPrefix: d.keyPrefix ?? null,
    replicateable: d.replicateable ?? false,
    fields: d.fields.map((f) => ({
      name: f.name,
      type: f.type,
      label: f.label,
      length: f.length,
      nillable: f.nillable,
      createable: f.createable,
      updateable: f.updateable,
      unique: f.unique,
      externalId: f.externalId,
      referenceTo: f.referenceTo ?? [],
      relationshipName: f.relationshipName ?? null,
    })),
  };
}

/** `GET /limits`. Bulk traffic does not update Sforce-Limit-Info in jsforce, so poll this now and then. */
export async function limits(core: ClientCore): Promise<OrgLimits> {
  const raw = core.parse(LimitsWire, await core.call((conn) => conn.limits()), 'limits');
  const all = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, { max: v.Max, remaining: v.Remaining }]));
  const daily = all.DailyApiRequests ?? { max: 0, remaining: 0 };
  return { dailyApiRequests: { ...daily, used: daily.max - daily.remaining }, all };
}
