import { emailDomain, isValidEmail, normalizeEmail } from '../../domain/email-address';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM \n')).toBe('ann.lee@example.com');
  });
});

describe('isValidEmail', () => {
  it.each(['ann@example.com', 'a@b.co', 'first.last+tag@mail.example.org', ' Ann@Example.com '])('accepts %j', (raw) => {
    expect(isValidEmail(raw)).toBe(true);
  });

  it.each([
    '',
    'ann',
    '@example.com',
    'ann@',
    'ann@localhost',
    'ann@example.',
    'ann@.example.com',
    'ann@example..com',
    'ann@@example.com',
    'ann@b@example.com',
    'ann lee@example.com',
    'ann@exa\tmple.com',
  ])('rejects %j', (raw) => {
    expect(isValidEmail(raw)).toBe(false);
  });

  it('accepts 254 characters and rejects 255', () => {
    const domain = '@example.com'; // 12 characters
    expect(isValidEmail('a'.repeat(242) + domain)).toBe(true);
    expect(isValidEmail('a'.repeat(243) + domain)).toBe(false);
  });
});

describe('emailDomain', () => {
  it('returns the normalised domain', () => {
    expect(emailDomain(' Ann@Mail.Example.COM ')).toBe('mail.example.com');
  });

  it('returns null without a domain', () => {
    expect(emailDomain('ann')).toBeNull();
    expect(emailDomain('ann@')).toBeNull();
  });
});
