/** The emulated org's objects and fields (a subset of the real describe), looked up case-insensitively like SOQL. */
import { KEY_PREFIXES } from './ids';

export type FieldType = 'id' | 'string' | 'email' | 'boolean' | 'reference' | 'datetime' | 'date' | 'picklist' | 'url' | 'phone' | 'textarea';

export interface FieldDef {
  name: string;
  type: FieldType;
  label: string;
  length?: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  /** Required on create (REQUIRED_FIELD_MISSING). */
  required?: boolean;
  unique?: boolean;
  externalId?: boolean;
  referenceTo?: string;
  /** A polymorphic lookup (Task.WhoId: Contact or Lead); referenceTo is the first. */
  referenceToAny?: string[];
  relationshipName?: string;
  defaultValue?: string | boolean | null;
  picklistValues?: string[];
}

export interface ObjectDef {
  name: string;
  label: string;
  keyPrefix: string;
  fields: FieldDef[];
  byLower: Map<string, FieldDef>;
  /** relationshipName (lower-case) → the reference field. */
  relationships: Map<string, FieldDef>;
  /** Computed, read-only `Name` from FirstName + LastName (Contact, Lead). */
  personName: boolean;
}

const f = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type,
  label: name.replace(/__c$/, '').replace(/_/g, ' '),
  nillable: true,
  createable: true,
  updateable: true,
  ...(type === 'string' || type === 'email' || type === 'url' || type === 'phone' || type === 'picklist' ? { length: 255 } : {}),
  ...extra,
});
const readOnly = { createable: false, updateable: false } as const;
const ref = (name: string, referenceTo: string, extra: Partial<FieldDef> = {}): FieldDef =>
  f(name, 'reference', { referenceTo, relationshipName: name.replace(/Id$/, ''), length: 18, ...extra });

const systemFields = (): FieldDef[] => [
  f('Id', 'id', { ...readOnly, nillable: false, length: 18 }),
  f('IsDeleted', 'boolean', { ...readOnly, nillable: false, defaultValue: false }),
  ref('MasterRecordId', 'self', readOnly),
];
const auditFields = (): FieldDef[] => [
  ref('OwnerId', 'User', { nillable: false }),
  f('CreatedDate', 'datetime', { ...readOnly, nillable: false }),
  ref('CreatedById', 'User', { ...readOnly, nillable: false }),
  f('LastModifiedDate', 'datetime', { ...readOnly, nillable: false }),
  ref('LastModifiedById', 'User', { ...readOnly, nillable: false }),
  f('SystemModstamp', 'datetime', { ...readOnly, nillable: false }),
];
const externalIdField = (): FieldDef => f('CRM_Workflows_Id__c', 'string', { externalId: true, unique: true, length: 64, label: 'CRM Workflows Id' });
const address = (prefix: string): FieldDef[] =>
  ['Street', 'City', 'State', 'PostalCode', 'Country'].map((part) => f(`${prefix}${part}`, part === 'Street' ? 'textarea' : 'string'));

function define(name: string, keyPrefix: string, fields: FieldDef[], personName = false): ObjectDef {
  const resolved = fields.map((field) => (field.referenceTo === 'self' ? { ...field, referenceTo: name } : field));
  return {
    name,
    label: name,
    keyPrefix,
    fields: resolved,
    byLower: new Map(resolved.map((field) => [field.name.toLowerCase(), field])),
    relationships: new Map(resolved.filter((field) => field.relationshipName).map((field) => [field.relationshipName!.toLowerCase(), field])),
    personName,
  };
}

export const OBJECTS: Record<string, ObjectDef> = {
  Account: define('Account', KEY_PREFIXES.Account, [
    ...systemFields(),
    f('Name', 'string', { required: true, nillable: false }),
    f('Type', 'picklist', { picklistValues: ['Prospect', 'Customer', 'Partner', 'Reseller', 'Other'] }),
    f('Website', 'url'),
    f('Domains__c', 'string', { label: 'Domains' }),
    f('Active__c', 'boolean', { nillable: false, defaultValue: true, label: 'Active' }),
    ...address('Billing'),
    ...auditFields(),
    externalIdField(),
  ]),
  Contact: define(
    'Contact',
    KEY_PREFIXES.Contact,
    [
      ...systemFields(),
      ref('AccountId', 'Account'),
      f('FirstName', 'string', { length: 40 }),
      f('LastName', 'string', { required: true, nillable: false, length: 80 }),
      f('Name', 'string', { ...readOnly, nillable: false, length: 121 }),
      f('Email', 'email', { length: 80 }),
      f('Title', 'string', { length: 128 }),
      f('Phone', 'phone', { length: 40 }),
      ...address('Mailing'),
      f('HasOptedOutOfEmail', 'boolean', { nillable: false, defaultValue: false }),
      f('IsEmailBounced', 'boolean', { nillable: false, defaultValue: false }),
      f('Active__c', 'boolean', { nillable: false, defaultValue: true, label: 'Active' }),
      ...auditFields(),
      externalIdField(),
    ],
    true,
  ),
  Lead: define(
    'Lead',
    KEY_PREFIXES.Lead,
    [
      ...systemFields(),
      f('FirstName', 'string', { length: 40 }),
      f('LastName', 'string', { required: true, nillable: false, length: 80 }),
      f('Name', 'string', { ...readOnly, nillable: false, length: 121 }),
      f('Email', 'email', { length: 80 }),
      f('Company', 'string', { required: true, nillable: false }),
      f('Status', 'picklist', { nillable: false, defaultValue: 'Open - Not Contacted', picklistValues: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'] }),
      f('IsConverted', 'boolean', { ...readOnly, nillable: false, defaultValue: false }),
      f('ConvertedDate', 'date', readOnly),
      ref('ConvertedContactId', 'Contact', readOnly),
      ref('ConvertedAccountId', 'Account', readOnly),
      f('HasOptedOutOfEmail', 'boolean', { nillable: false, defaultValue: false }),
      ...auditFields(),
      externalIdField(),
    ],
    true,
  ),
  // Activity on a person (two-way sync pushes email activity as completed Tasks); not replicated.
  Task: define('Task', KEY_PREFIXES.Task, [
    ...systemFields(),
    ref('WhoId', 'Contact', { referenceToAny: ['Contact', 'Lead'], relationshipName: 'Who' }),
    ref('WhatId', 'Account', { relationshipName: 'What' }),
    f('Subject', 'string'),
    f('ActivityDate', 'date'),
    f('Status', 'picklist', { nillable: false, defaultValue: 'Not Started', picklistValues: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'] }),
    f('TaskSubtype', 'picklist', { picklistValues: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call'] }),
    f('Type', 'picklist', { picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
    f('Description', 'textarea'),
    ...auditFields(),
    externalIdField(),
  ]),
  User: define('User', KEY_PREFIXES.User, [
    f('Id', 'id', { ...readOnly, nillable: false, length: 18 }),
    f('Name', 'string', { ...readOnly, nillable: false }),
    f('FirstName', 'string', { length: 40 }),
    f('LastName', 'string', { required: true, nillable: false, length: 80 }),
    f('Email', 'email', { required: true, nillable: false, length: 128 }),
    f('IsActive', 'boolean', { nillable: false, defaultValue: true }),
    f('CreatedDate', 'datetime', { ...readOnly, nillable: false }),
    f('LastModifiedDate', 'datetime', { ...readOnly, nillable: false }),
    f('SystemModstamp', 'datetime', { ...readOnly, nillable: false }),
  ], true),
};

const objectsByLower = new Map(Object.values(OBJECTS).map((o) => [o.name.toLowerCase(), o]));
const objectsByPrefix = new Map(Object.values(OBJECTS).map((o) => [o.keyPrefix, o]));

export function findObject(name: string): ObjectDef | undefined {
  return objectsByLower.get(name.toLowerCase());
}

export function objectOfId(id: string): ObjectDef | undefined {
  return objectsByPrefix.get(id.slice(0, 3));
}

export function findField(obj: ObjectDef, name: string): FieldDef | undefined {
  return obj.byLower.get(name.toLowerCase());
}

/** Objects whose records support soft delete, merge and the replication feeds. */
export const REPLICATED_OBJECTS = ['Account', 'Contact', 'Lead'] as const;
