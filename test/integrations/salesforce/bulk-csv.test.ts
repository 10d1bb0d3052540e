/** Reading Bulk API 2.0 CSV (result pages, ingest results): quoting, BOM, a single column, malformed rows. */
import { parseBulkCsv } from '../../../integrations/salesforce/bulk-csv';

test('rows keyed by the header: quoted commas, quotes and line breaks kept, empty cells empty, BOM and blank lines dropped', () => {
  const text = '\ufeffId,Name,Description\n001,"Acme, Inc","line 1\nline 2 ""quoted"""\n002,,\n\n003,x,""\n';
  expect(parseBulkCsv(text)).toEqual([
    { Id: '001', Name: 'Acme, Inc', Description: 'line 1\nline 2 "quoted"' },
    { Id: '002', Name: '', Description: '' },
    { Id: '003', Name: 'x', Description: '' },
  ]);
});

test('a single column is read (no delimiter to detect), CRLF line endings too', () => {
  expect(parseBulkCsv('Id\n001\n002\n')).toEqual([{ Id: '001' }, { Id: '002' }]);
  expect(parseBulkCsv('a,b\r\n1,2\r\n')).toEqual([{ a: '1', b: '2' }]);
});

test('an empty body is no rows; a row with the wrong number of cells throws', () => {
  expect(parseBulkCsv('  \n')).toEqual([]);
  expect(() => parseBulkCsv('a,b\n1\n')).toThrow(/TooFewFields/);
  expect(() => parseBulkCsv('a,b\n1,2,3\n')).toThrow(/TooManyFields/);
});
