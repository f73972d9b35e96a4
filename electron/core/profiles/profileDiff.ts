import type { Profile } from '../../../shared/model/profile';

/** The top-level fields of a profile that differ between two versions (name, targets, jumpHost, ...), sorted. */
export function changedFields(before: Profile, after: Profile): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof Profile>;
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}
