/**
 * Money is exact: amounts are decimal strings in JSON, PostgreSQL `numeric` in the database and
 * decimal.js here. Never a JavaScript number. Amounts are validated against the currency's ISO 4217
 * minor units (USD 2, JPY 0, BHD 3).
 */
import { code as currencyRecord } from 'currency-codes';
import { Decimal as BaseDecimal } from 'decimal.js';

/** 18 integer digits + 4 decimals fit numeric(22,4); sums of a million such amounts need ~30 digits. */
export const MAX_INTEGER_DIGITS = 18;
export const Decimal = BaseDecimal.clone({ precision: 60, rounding: BaseDecimal.ROUND_HALF_EVEN, toExpNeg: -60, toExpPos: 60 });
export type Decimal = InstanceType<typeof Decimal>;

/** ISO 4217 entries that are not money (test code, "no currency", precious metals, bond units). */
const NOT_MONEY = /^Zz/;

/** The currency's minor units (decimal places), or undefined when the code is not an ISO 4217 currency. */
export function currencyDigits(currency: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(currency)) return undefined;
  const record = currencyRecord(currency);
  if (!record || record.countries.some((c) => NOT_MONEY.test(c))) return undefined;
  return record.digits;
}

export type AmountCheck = { ok: true; value: string } | { ok: false; problem: string };

/** A non-negative decimal string with at most the currency's minor units; returns it normalised. */
export function checkAmount(amount: string, currency: string): AmountCheck {
  const digits = currencyDigits(currency);
  if (digits === undefined) return { ok: false, problem: 'needs a valid currency to check the decimals' };
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) return { ok: false, problem: 'must be a non-negative decimal string such as "1250.00"' };
  const integer = m[1]!.replace(/^0+(?=\d)/, '');
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (integer.length > MAX_INTEGER_DIGITS) return { ok: false, problem: `has more than ${MAX_INTEGER_DIGITS} digits before the decimal point` };
  if (fraction.length > digits) return { ok: false, problem: `${currency} has ${digits} decimal place${digits === 1 ? '' : 's'}; "${amount}" has more` };
  return { ok: true, value: formatMoney(new Decimal(`${integer}.${fraction || '0'}`), currency) };
}

/** Exact string with at least the currency's minor units (more when the value has more, e.g. weighted values). */
export function formatMoney(value: Decimal, currency: string): string {
  const digits = currencyDigits(currency) ?? 2;
  return value.toFixed(Math.max(digits, value.decimalPlaces()));
}

/** amount × probability %: exact (two more decimal places at most). */
export function weightedAmount(amount: Decimal, probability: number): Decimal {
  return amount.times(probability).dividedBy(100);
}

export const sumOf = (values: readonly Decimal[]): Decimal => values.reduce((a, b) => a.plus(b), new Decimal(0));
