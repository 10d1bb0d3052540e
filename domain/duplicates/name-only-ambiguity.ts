/**
 * A contact with only a name (no company, no address) can be matched by nothing but that name. When the
 * name points to one or two people, they are shown as candidates; when it points to more, the name is too
 * common to be evidence ("Ana Smith" with no address is not a duplicate of every Ana Smith), and its
 * name-only pairs are dropped. Among its partners, only the closest names count (an exact match beats a
 * one-letter difference). Partners that share an address are one person.
 */
export interface NameOnlyPartner {
  id: string;
  email: string | null;
  distance: number;
}

/** The partners to keep for one name-only contact (possibly none). */
export function keepNameOnlyPartners(partners: readonly NameOnlyPartner[], maxPeople: number): NameOnlyPartner[] {
  if (partners.length <= 1) return [...partners];
  const best = Math.min(...partners.map((p) => p.distance));
  const closest = partners.filter((p) => p.distance === best);
  const people = new Set(closest.map((p) => p.email ?? `id:${p.id}`));
  return people.size <= maxPeople ? closest : [];
}
