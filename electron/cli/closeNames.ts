/** Edit distance, for "did you mean" suggestions on unknown profile or target names. */
function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] as number;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] as number;
      previous[j] = Math.min(above + 1, (previous[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] as number;
}

/** Up to three known names closest to `wanted` (prefix matches first), or all of them if few. */
export function closeNames(wanted: string, known: readonly string[]): string[] {
  const lower = wanted.toLowerCase();
  return [...known]
    .map((name) => ({ name, score: name.toLowerCase().startsWith(lower) ? -1 : distance(lower, name.toLowerCase()) }))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((entry) => entry.name);
}
