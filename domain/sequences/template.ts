/**
 * Personalisation tokens in sequence subjects and bodies:
 *   {{contact.firstName}}            value, or empty
 *   {{ contact.firstName | "there" }} value, or the fallback when the value is empty/missing
 * Templates are validated on save (validateTemplate); rendering never fails, it leaves an invalid
 * token verbatim so a bad template is visible rather than silently dropped.
 */

export const TEMPLATE_FIELDS = [
  'contact.firstName',
  'contact.lastName',
  'contact.fullName',
  'contact.email',
  'company.name',
  'sender.name',
  'sender.email',
] as const;

export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

type Text = string | null | undefined;

export type TemplateValues = {
  contact?: { firstName?: Text; lastName?: Text; fullName?: Text; email?: Text };
  company?: { name?: Text };
  sender?: { name?: Text; email?: Text };
};

export type TemplateError = { token: string; message: string };

export type TemplateValidation = { ok: true } | { ok: false; errors: TemplateError[] };

export function validateTemplate(text: string): TemplateValidation {
  const errors: TemplateError[] = [];
  for (const segment of parseTemplate(text)) {
    if (segment.kind === 'invalid') errors.push({ token: segment.raw, message: segment.message });
  }
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}

/**
 * Substitutes tokens. With escapeHtml, substituted values (and fallbacks) are HTML-escaped;
 * the template's own text is left alone because it is the author's markup.
 */
export function renderTemplate(text: string, values: TemplateValues, options: { escapeHtml: boolean }): string {
  let out = '';
  for (const segment of parseTemplate(text)) {
    if (segment.kind !== 'token') {
      out += segment.raw;
      continue;
    }
    const value = lookup(values, segment.field);
    const chosen = hasText(value) ? value : (segment.fallback ?? '');
    out += options.escapeHtml ? escapeHtml(chosen) : chosen;
  }
  return out;
}

type Segment =
  | { kind: 'text'; raw: string }
  | { kind: 'token'; raw: string; field: TemplateField; fallback: string | null }
  | { kind: 'invalid'; raw: string; message: string };

/** `field` or `field | "fallback"`, whitespace-tolerant; the fallback may not contain a double quote. */
const TOKEN_BODY = /^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:\|\s*"([^"]*)"\s*)?$/;
const FIELD_SET: ReadonlySet<string> = new Set(TEMPLATE_FIELDS);
const MAX_SHOWN = 40;

function parseTemplate(text: string): Segment[] {
  const segments: Segment[] = [];
  let index = 0;
  while (index < text.length) {
    const open = text.indexOf('{{', index);
    if (open < 0) {
      segments.push({ kind: 'text', raw: text.slice(index) });
      break;
    }
    if (open > index) segments.push({ kind: 'text', raw: text.slice(index, open) });
    const close = findClose(text, open + 2);
    if (close < 0) {
      const shown = text.length - open > MAX_SHOWN ? `${text.slice(open, open + MAX_SHOWN)}…` : text.slice(open);
      segments.push({ kind: 'invalid', raw: text.slice(open), message: `"${shown}" is not closed with "}}" (or has an unbalanced quote)` });
      break;
    }
    segments.push(parseToken(text.slice(open, close + 2), text.slice(open + 2, close)));
    index = close + 2;
  }
  return segments;
}

/** Index of the "}}" closing a token, ignoring "}}" inside a quoted fallback; -1 when unclosed. */
function findClose(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text.startsWith('}}', i)) return i;
  }
  return -1;
}

function parseToken(raw: string, body: string): Segment {
  const match = TOKEN_BODY.exec(body);
  if (!match) {
    return { kind: 'invalid', raw, message: `${raw} is malformed: expected {{ field }} or {{ field | "fallback" }}` };
  }
  const field = match[1] ?? '';
  if (!isTemplateField(field)) {
    const suggestion = suggestField(field);
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : `; allowed fields: ${TEMPLATE_FIELDS.join(', ')}`;
    return { kind: 'invalid', raw, message: `unknown field "${field}"${hint}` };
  }
  return { kind: 'token', raw, field, fallback: match[2] ?? null };
}

/** Catches the usual slips: wrong case ("Contact.FirstName") or a missing prefix ("firstName"). */
function suggestField(field: string): TemplateField | undefined {
  const wanted = field.toLowerCase();
  return (
    TEMPLATE_FIELDS.find((f) => f.toLowerCase() === wanted) ??
    TEMPLATE_FIELDS.find((f) => f.toLowerCase().endsWith(`.${wanted}`))
  );
}

function isTemplateField(value: string): value is TemplateField {
  return FIELD_SET.has(value);
}

function lookup(values: TemplateValues, field: TemplateField): Text {
  switch (field) {
    case 'contact.firstName':
      return values.contact?.firstName;
    case 'contact.lastName':
      return values.contact?.lastName;
    case 'contact.fullName': {
      // Callers often have only first/last; derive the full name rather than render nothing.
      const full = values.contact?.fullName;
      if (hasText(full)) return full;
      return [values.contact?.firstName, values.contact?.lastName]
        .filter(hasText)
        .map((part) => part.trim())
        .join(' ');
    }
    case 'contact.email':
      return values.contact?.email;
    case 'company.name':
      return values.company?.name;
    case 'sender.name':
      return values.sender?.name;
    case 'sender.email':
      return values.sender?.email;
  }
}

/** Whitespace-only counts as empty, so "Hi {{contact.firstName | "there"}}" never renders "Hi  ". */
function hasText(value: Text): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
