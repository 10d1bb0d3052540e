import { TEMPLATE_FIELDS, renderTemplate, validateTemplate, type TemplateValues } from '../../domain/sequences/template';

const values: TemplateValues = {
  contact: { firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com' },
  company: { name: 'Smith & <Sons>' },
  sender: { name: "O'Brien", email: 'sales@vendor.example' },
};

describe('TEMPLATE_FIELDS', () => {
  it('lists exactly the allowed fields', () => {
    expect(TEMPLATE_FIELDS).toEqual([
      'contact.firstName',
      'contact.lastName',
      'contact.fullName',
      'contact.email',
      'company.name',
      'sender.name',
      'sender.email',
    ]);
  });
});

describe('validateTemplate', () => {
  it('accepts every allowed field, fallbacks and whitespace', () => {
    const text = TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(' ') + ' {{  contact.firstName|"there"  }} {{ company.name | "" }}';
    expect(validateTemplate(text)).toEqual({ ok: true });
  });

  it('accepts text without tokens and a stray "}}"', () => {
    expect(validateTemplate('Hello } }} world')).toEqual({ ok: true });
  });

  it('names unknown fields, with a hint for near misses', () => {
    expect(validateTemplate('Hi {{contact.middleName}}, {{Contact.FirstName}} {{firstName}}')).toEqual({
      ok: false,
      errors: [
        {
          token: '{{contact.middleName}}',
          message:
            'unknown field "contact.middleName"; allowed fields: contact.firstName, contact.lastName, contact.fullName, contact.email, company.name, sender.name, sender.email',
        },
        { token: '{{Contact.FirstName}}', message: 'unknown field "Contact.FirstName" (did you mean "contact.firstName"?)' },
        { token: '{{firstName}}', message: 'unknown field "firstName" (did you mean "contact.firstName"?)' },
      ],
    });
  });

  it('reports malformed tokens', () => {
    expect(validateTemplate("{{ contact.firstName | 'there' }} {{}} {{contact.firstName |}}")).toEqual({
      ok: false,
      errors: [
        {
          token: "{{ contact.firstName | 'there' }}",
          message: `{{ contact.firstName | 'there' }} is malformed: expected {{ field }} or {{ field | "fallback" }}`,
        },
        { token: '{{}}', message: '{{}} is malformed: expected {{ field }} or {{ field | "fallback" }}' },
        { token: '{{contact.firstName |}}', message: '{{contact.firstName |}} is malformed: expected {{ field }} or {{ field | "fallback" }}' },
      ],
    });
  });

  it('reports an unclosed token', () => {
    expect(validateTemplate('Hi {{contact.firstName, welcome')).toEqual({
      ok: false,
      errors: [
        {
          token: '{{contact.firstName, welcome',
          message: '"{{contact.firstName, welcome" is not closed with "}}" (or has an unbalanced quote)',
        },
      ],
    });
  });

  it('reports a nested opening', () => {
    expect(validateTemplate('{{ {{contact.firstName}}')).toEqual({
      ok: false,
      errors: [{ token: '{{ {{contact.firstName}}', message: '{{ {{contact.firstName}} is malformed: expected {{ field }} or {{ field | "fallback" }}' }],
    });
  });
});

describe('renderTemplate', () => {
  it('substitutes values', () => {
    expect(renderTemplate('Hi {{contact.firstName}} {{ contact.lastName }} from {{sender.name}} <{{sender.email}}>', values, { escapeHtml: false })).toBe(
      "Hi Ann Lee from O'Brien <sales@vendor.example>",
    );
  });

  it('uses the fallback when the value is missing, null, empty or blank', () => {
    const text = 'Hi {{ contact.firstName | "there" }},';
    expect(renderTemplate(text, {}, { escapeHtml: false })).toBe('Hi there,');
    expect(renderTemplate(text, { contact: { firstName: null } }, { escapeHtml: false })).toBe('Hi there,');
    expect(renderTemplate(text, { contact: { firstName: '' } }, { escapeHtml: false })).toBe('Hi there,');
    expect(renderTemplate(text, { contact: { firstName: '   ' } }, { escapeHtml: false })).toBe('Hi there,');
    expect(renderTemplate(text, values, { escapeHtml: false })).toBe('Hi Ann,');
  });

  it('renders a missing value without fallback as empty', () => {
    expect(renderTemplate('[{{company.name}}]', { contact: { firstName: 'Ann' } }, { escapeHtml: true })).toBe('[]');
  });

  it('derives contact.fullName from first and last name when not given', () => {
    expect(renderTemplate('{{contact.fullName}}', values, { escapeHtml: false })).toBe('Ann Lee');
    expect(renderTemplate('{{contact.fullName}}', { contact: { lastName: ' Lee ' } }, { escapeHtml: false })).toBe('Lee');
    expect(renderTemplate('{{contact.fullName}}', { contact: { fullName: 'Dr. Ann Lee', firstName: 'Ann' } }, { escapeHtml: false })).toBe('Dr. Ann Lee');
    expect(renderTemplate('{{contact.fullName | "friend"}}', {}, { escapeHtml: false })).toBe('friend');
  });

  it('HTML-escapes substituted values and fallbacks, not the template text', () => {
    expect(renderTemplate('<p>{{company.name}} / {{sender.name}}</p>', values, { escapeHtml: true })).toBe(
      '<p>Smith &amp; &lt;Sons&gt; / O&#39;Brien</p>',
    );
    expect(renderTemplate('<b>{{contact.firstName | "<you>"}}</b>', {}, { escapeHtml: true })).toBe('<b>&lt;you&gt;</b>');
    expect(renderTemplate('{{company.name}}', values, { escapeHtml: false })).toBe('Smith & <Sons>');
  });

  it('keeps "}}" inside a quoted fallback', () => {
    expect(renderTemplate('{{contact.firstName | "a }} b"}}!', {}, { escapeHtml: false })).toBe('a }} b!');
  });

  it('leaves invalid tokens verbatim', () => {
    expect(renderTemplate('Hi {{contact.middleName}} {{contact.firstName}} {{oops', values, { escapeHtml: true })).toBe(
      'Hi {{contact.middleName}} Ann {{oops',
    );
  });
});
