// "Did you mean ...?" for a mistyped command or flag: the closest known name within a few edits.

/** The closest of `names` within a third of the typed length in edits (at least 2), or null. */
export function nearestName(typed: string, names: string[]): string | null {
  let best: {name: string; distance: number} | null = null
  for (const name of names) {
    const distance = editDistance(typed, name)
    if (!best || distance < best.distance) best = {name, distance}
  }
  if (!best) return null
  return best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : null
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn a into b. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}
