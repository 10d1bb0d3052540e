/**
 * A labelled contact set for the duplicate benchmark, generated deterministically (seeded PRNG):
 * distinct people (many sharing first or last names, some in the same company: hard negatives) and
 * duplicates of some of them with realistic noise — typos, swapped first/last names, case and accent
 * variants, missing email or company, another address — each record labelled with its person.
 */
export interface LabelledContact {
  person: number;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: number | null;
}

const FIRST = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra', 'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle', 'Kenneth', 'Dorothy', 'Kevin', 'Carol', 'Brian', 'Amanda', 'George', 'Melissa', 'Edward', 'Deborah', 'José', 'Zoë', 'Renée', 'Björn', 'Łukasz', 'Chloé', 'François', 'Jürgen', 'Søren', 'Inés', 'Ana', 'Luis', 'Carmen', 'Pedro', 'Sofía', 'Mateo', 'Lucía', 'Hugo', 'Léa', 'Noah', 'Emma', 'Liam', 'Olivia', 'Elena', 'Marco', 'Giulia', 'Luca', 'Chiara', 'Hans', 'Greta', 'Anna', 'Ben', 'Mia', 'Jonas', 'Lea', 'Finn', 'Ida', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Aarav', 'Priya', 'Omar', 'Fatima', 'Ivan', 'Olga', 'Dmitri', 'Anya', 'Kwame'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Dubois', 'Lefèvre', 'Moreau', 'Fournier', 'Girard', 'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Kowalski', 'Nowak', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Larsen', 'Sørensen', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Tanaka', 'Suzuki', 'Takahashi', 'Watanabe', 'Ito', 'Kim', 'Park', 'Choi', 'Chen', 'Wang', 'Li', 'Zhang', 'Liu', 'Singh', 'Kumar', 'Patel', 'Sharma', 'Ivanov', 'Petrov', 'Smirnov', 'Okafor', 'Mensah', 'Haddad', 'Khan', 'Ali', 'Ahmed', 'Costa', 'Silva', 'Santos', 'Oliveira', 'Pereira', 'Almeida', 'Fernandes', 'Gomes', 'Martins', 'Rocha', 'Ribeiro', 'Carvalho', 'Lima', "O'Brien", "O'Connor", 'Murphy', 'Kelly', 'Walsh', 'Byrne', 'Ryan', 'Doyle', 'McCarthy', 'Gallagher', 'Fitzgerald', 'Van der Berg', 'De Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'De Jong', 'Mulder'];
/** Synthetic surnames on top of the common ones: real contact lists have thousands of distinct last names. */
const PRE = ['Ab', 'Bar', 'Ber', 'Bran', 'Cal', 'Dal', 'Den', 'Eck', 'Fal', 'Fer', 'Gar', 'Gol', 'Hal', 'Hart', 'Hol', 'Kel', 'Kin', 'Lam', 'Lind', 'Mar', 'Mol', 'Nor', 'Ost', 'Pen', 'Ram', 'Ros', 'Sal', 'Sand', 'Stein', 'Tal', 'Ter', 'Ul', 'Val', 'Wal', 'West', 'Wil', 'Win', 'Yar', 'Zel', 'Zim'];
const SUF = ['berg', 'by', 'croft', 'dale', 'den', 'ford', 'gaard', 'ham', 'holm', 'hurst', 'ington', 'kamp', 'land', 'ley', 'lund', 'man', 'mann', 'mont', 'more', 'ner', 'ridge', 'rup', 'sen', 'shaw', 'ski', 'son', 'stad', 'strom', 'ton', 'wood'];
const SURNAMES = [...LAST, ...PRE.flatMap((p) => SUF.map((s) => p + s))];
const FREE_MAIL = ['gmail.example', 'outlook.example', 'yahoo.example', 'gmx.example'];

/** Mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const strip = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '');
const slug = (s: string) => strip(s).toLowerCase().replace(/[^a-z0-9]+/g, '');

export function generateLabelledContacts(total: number, seed = 12): LabelledContact[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  /** Skewed towards the front of the list, as name frequencies are (a few very common names, a long tail). */
  const pickSkewed = <T>(xs: readonly T[]) => xs[Math.floor(rnd() ** 2 * xs.length)]!;
  const companies = Math.max(10, Math.floor(total / 40));
  const out: LabelledContact[] = [];
  const people: LabelledContact[] = [];
  const duplicateShare = 0.1;
  const distinct = Math.round(total * (1 - duplicateShare));
  for (let person = 0; person < distinct; person++) {
    const firstName = pickSkewed(FIRST);
    const lastName = pickSkewed(SURNAMES);
    const company = rnd() < 0.6 ? Math.floor(rnd() * companies) : null;
    const domain = company === null ? pick(FREE_MAIL) : `company${company}.example`;
    const c = { person, email: `${slug(firstName)}.${slug(lastName)}.${person}@${domain}`, firstName, lastName, company };
    people.push(c);
    out.push(c);
  }
  const typo = (s: string): string => {
    if (s.length < 4) return s;
    const i = 1 + Math.floor(rnd() * (s.length - 2));
    const kind = Math.floor(rnd() * 4);
    const letter = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rnd() * 26)]!;
    if (kind === 0) return s.slice(0, i) + letter + s.slice(i + 1);
    if (kind === 1) return s.slice(0, i) + s.slice(i + 1);
    if (kind === 2) return s.slice(0, i) + letter + s.slice(i);
    return s.slice(0, i - 1) + s[i] + s[i - 1] + s.slice(i + 1);
  };
  while (out.length < total) {
    const base = pick(people);
    const d: LabelledContact = { ...base };
    // One or two kinds of noise per duplicate, as imports and hand entry produce them.
    const noises = 1 + (rnd() < 0.35 ? 1 : 0);
    for (let k = 0; k < noises; k++) {
      const r = rnd();
      if (r < 0.25) {
        // A typo in one of the two names (that field's own value, mistyped).
        const field = rnd() < 0.5 ? 'firstName' : 'lastName';
        d[field] = typo(d[field]!);
      }
      else if (r < 0.35) [d.firstName, d.lastName] = [d.lastName, d.firstName];
      else if (r < 0.5) [d.firstName, d.lastName] = [d.firstName!.toUpperCase(), strip(d.lastName!)];
      else if (r < 0.65) d.email = null;
      else if (r < 0.8) d.email = d.email ? d.email.toUpperCase() : null;
      // A personal address of this person's own: one mailbox is one person's, so it never equals another person's.
      else if (r < 0.9) d.email = `${slug(base.firstName!)}${base.person}@${pick(FREE_MAIL)}`;
      else if (d.email) d.company = null;
    }
    out.push(d);
  }
  // Shuffle so duplicates are not next to their originals in insertion order.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Every pair of records of one person: the ground truth. */
export function truePairs(records: readonly { id: string; person: number }[]): Set<string> {
  const byPerson = new Map<number, string[]>();
  for (const r of records) byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), r.id]);
  const pairs = new Set<string>();
  for (const ids of byPerson.values()) {
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.add(ids[i]! < ids[j]! ? `${ids[i]}|${ids[j]}` : `${ids[j]}|${ids[i]}`);
  }
  return pairs;
}
