import { addressesConflict, distinctColleagues } from '../../domain/duplicates/address-evidence';
import { keepNameOnlyPartners } from '../../domain/duplicates/name-only-ambiguity';

describe('addressesConflict: without a company', () => {
  it('two different addresses are two people; one missing address contradicts nothing', () => {
    expect(addressesConflict(null, 'ana@mail.example', 'ana.smith@other.example')).toBe(true);
    expect(addressesConflict(null, 'ana@mail.example', null)).toBe(false);
    expect(addressesConflict(null, 'ana@mail.example', 'ana@mail.example')).toBe(false);
    expect(addressesConflict('c1', 'ana@mail.example', 'ana.smith@other.example')).toBe(false);
  });
});

describe('distinctColleagues: in one company', () => {
  it('similar names with two mailboxes at one domain are two colleagues unless the local parts differ by a typo', () => {
    expect(distinctColleagues('mary.smith@acme.example', 'marc.smithers@acme.example', 2)).toBe(true);
    expect(distinctColleagues('john.smith@acme.example', 'jon.smith@acme.example', 1)).toBe(false);
  });

  it('the same full name is one person with two aliases', () => {
    expect(distinctColleagues('jose@acme.example', 'jgarcia@acme.example', 0)).toBe(false);
  });

  it('a work address and a personal one, or a missing one, do not contradict a name', () => {
    expect(distinctColleagues('mary.smith@acme.example', 'mary77@gmail.example', 1)).toBe(false);
    expect(distinctColleagues('mary.smith@acme.example', null, 1)).toBe(false);
  });
});

describe('keepNameOnlyPartners: a contact with only a name', () => {
  const p = (id: string, email: string | null, distance: number) => ({ id, email, distance });

  it('keeps a single partner', () => {
    expect(keepNameOnlyPartners([p('a', 'x@e', 1)], 2).map((k) => k.id)).toEqual(['a']);
  });

  it('keeps only the closest names when they point to at most maxPeople people', () => {
    expect(keepNameOnlyPartners([p('a', 'x@e', 0), p('b', 'y@e', 1)], 2).map((k) => k.id)).toEqual(['a']);
    expect(keepNameOnlyPartners([p('a', 'x@e', 0), p('b', 'y@e', 0)], 2).map((k) => k.id)).toEqual(['a', 'b']);
  });

  it('drops every pair when the name points to more people than allowed', () => {
    expect(keepNameOnlyPartners([p('a', 'x@e', 0), p('b', 'y@e', 0), p('c', 'z@e', 0)], 2)).toEqual([]);
  });

  it('counts partners sharing an address as one person', () => {
    expect(keepNameOnlyPartners([p('a', 'x@e', 0), p('b', 'x@e', 0), p('c', 'y@e', 0)], 2).map((k) => k.id)).toEqual(['a', 'b', 'c']);
    expect(keepNameOnlyPartners([p('a', null, 0), p('b', null, 0), p('c', null, 0)], 2)).toEqual([]);
  });
});
