/**
 * Ids for profiles and targets, made from the names people type: lower-case
 * letters, digits and dashes, at most 64 characters (what the schema accepts).
 */

const MAX_ID_LENGTH = 64;

export function slugify(name: string, fallback = 'profile'): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    // Accents come apart under NFKD; drop the marks so 'Crème' is 'creme', not 'cre-me'.
    .replace(/\p{M}+/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_ID_LENGTH)
    .replace(/-+$/, '');
  return slug || fallback;
}

/** The slug of `name`, or the first of `name-2`, `name-3`, ... not in `taken`; always within the length limit. */
export function uniqueSlug(name: string, taken: ReadonlySet<string>, fallback = 'profile'): string {
  const base = slugify(name, fallback);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, MAX_ID_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
