/**
 * Edit distance where swapping two neighbouring letters is one typo ("rgi" for "rig"), as people
 * mistype names (optimal string alignment), for "did you mean" suggestions.
 */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * Up to three known names close to `wanted`, closest first: names that start with it or contain
 * it, then those a few typos away (at most a third of the longer name's letters). Nothing when
 * nothing is close: a list of unrelated names is not a suggestion.
 */
export function closeNames(wanted: string, known: readonly string[]): string[] {
  const lower = wanted.toLowerCase();
  if (lower === '') return [];
  return [...known]
    .map((name) => {
      const candidate = name.toLowerCase();
      const typos = distance(lower, candidate);
      const score = candidate.startsWith(lower) ? -2 : candidate.includes(lower) ? -1 : typos;
      return { name, score, close: score < 0 || typos <= Math.max(1, Math.floor(Math.max(lower.length, candidate.length) / 3)) };
    })
    .filter((entry) => entry.close)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((entry) => entry.name);
}
