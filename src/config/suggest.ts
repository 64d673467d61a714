/** "Did you mean ...?" for unknown target ids, param paths and rule names. */
import { distance } from 'fastest-levenshtein'

export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: [string, number][] = []
  for (const c of candidates) {
    const d = distance(word, c)
    if (d <= Math.max(2, Math.floor(word.length / 3))) scored.push([c, d])
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([c]) => c)
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates)
  return c.length ? ` Did you mean ${c.map((x) => `"${x}"`).join(' or ')}?` : ''
}
