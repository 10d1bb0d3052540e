/** Salesforce-shaped record ids: 3-char key prefix + 12-char body, plus the 3-char case-safe checksum (18 chars). */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const KEY_PREFIXES = {
  Account: '001',
  Contact: '003',
  Lead: '00Q',
  User: '005',
  Task: '00T',
  Organization: '00D',
  QueryLocator: '01g',
  BulkJob: '750',
} as const;

/** The 3 checksum chars: for each 5-char block, bit i is set when char i is an upper-case letter. */
export function idChecksum(id15: string): string {
  let out = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(block * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += CHECKSUM_ALPHABET[bits];
  }
  return out;
}

export function to18(id: string): string {
  return id.length === 15 ? id + idChecksum(id) : id;
}

/** Accepts 15- or 18-char ids (as SOQL does) and returns the 18-char form, or undefined when malformed. */
export function normaliseId(id: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return undefined;
  const id18 = to18(id);
  return idChecksum(id18.slice(0, 15)) === id18.slice(15) ? id18 : undefined;
}

function base62(n: number, width: number): string {
  let s = '';
  let v = n;
  while (v > 0) {
    s = BASE62[v % 62] + s;
    v = Math.floor(v / 62);
  }
  return s.padStart(width, '0');
}

/** Sequential ids per key prefix; `pod` makes ids of different emulator instances differ. */
export class IdFactory {
  private readonly counters = new Map<string, number>();
  constructor(private readonly pod: string) {
    if (!/^[a-zA-Z0-9]{3}$/.test(pod)) throw new RangeError('pod must be 3 alphanumeric chars');
  }

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return to18(prefix + this.pod + base62(n, 9));
  }

  reset(): void {
    this.counters.clear();
  }
}
