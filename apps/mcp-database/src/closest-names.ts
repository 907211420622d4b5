/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[t.length];
}

/**
 * The `count` candidates closest to `wanted`: names containing it (or contained in it) first, then
 * by edit distance; ties alphabetically. `key` gives the part of a candidate to compare.
 */
export function closestNames<T>(wanted: string, candidates: T[], key: (candidate: T) => string, count = 5): T[] {
  const target = wanted.toLowerCase();
  const scored = candidates.map((candidate) => {
    const name = key(candidate).toLowerCase();
    const related = name.includes(target) || target.includes(name);
    return { candidate, name, score: editDistance(target, name) - (related ? 100 : 0) };
  });
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, count).map((entry) => entry.candidate);
}
