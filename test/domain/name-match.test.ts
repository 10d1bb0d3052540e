import { compareNames, normalizeName } from '../../domain/duplicates/name-match';
import { detectMapping } from '../../domain/imports/columns';
import { neutralizeCell, unneutralizeCell } from '../../domain/imports/formula-guard';
import { detectDelimiter, detectEncoding } from '../../domain/imports/sniff';

describe('name similarity', () => {
  it('folds case, accents, punctuation and whitespace', () => {
    expect(normalizeName('  José ', 'García-López')).toBe('jose garcia lopez');
    expect(normalizeName('Straße', null)).toBe('strasse');
    expect(normalizeName(null, null)).toBe('');
  });
  it('matches typos and swapped names within the bound, not different people or short names', () => {
    expect(compareNames('john smith', 'jon smith', 2)).toEqual({ distance: 1, score: 0.9 });
    expect(compareNames('smith john', 'john smith', 2)).toEqual({ distance: 0, score: 1 });
    expect(compareNames('john smith', 'mary smith', 2)).toBeNull();
    expect(compareNames('al li', 'al lu', 2)).toEqual({ distance: 1, score: 0.8 });
    expect(compareNames('li', 'lu', 2)).toBeNull();
    expect(compareNames('john smith', 'jon smith', 0)).toBeNull();
    expect(compareNames('', 'x', 2)).toBeNull();
  });
});

describe('import helpers', () => {
  it('neutralises formula cells reversibly', () => {
    for (const v of ['=1+1', '+1', '-x', '@a', '\tt', '\rr', "'=x", "''+y", 'plain', "'quoted", '']) {
      expect(unneutralizeCell(neutralizeCell(v))).toBe(v);
      expect(neutralizeCell(v)).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
  it('detects columns, delimiters and encodings', () => {
    expect(detectMapping(['E-Mail', 'Vorname', 'Last Name', 'Company', 'Time zone'])).toEqual({ email: 0, firstName: 1, lastName: 2, companyName: 3, timeZone: 4 });
    expect(detectDelimiter('a;b;"c,d"\n1,2,3')).toBe(';');
    expect(detectDelimiter('a\tb\n')).toBe('\t');
    expect(detectEncoding(Buffer.from('René', 'latin1'), true)).toBe('windows-1252');
    expect(detectEncoding(Buffer.from('René x', 'latin1'))).toBe('windows-1252');
    expect(detectEncoding(Buffer.from('René', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('Ren\u00e9', 'utf8').subarray(0, 4))).toBe('utf-8');
  });
});
