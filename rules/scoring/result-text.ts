import { formatPythonFixed } from './python-compat.ts'
import type { ScoreResult } from './types.ts'

/**
 * CoIN's `Result.text` ("Samples: N\nAccuracy: X%", DOMAIN.md §1.6), which every CoIN eval script
 * writes with Python's '{:.2f}'. Kept byte-compatible so tools that read CoIN results read coin's.
 */
export function formatResultText(result: Pick<ScoreResult, 'n' | 'value'>): string {
  return `Samples: ${result.n}\nAccuracy: ${formatPythonFixed(result.value, 2)}%\n`
}
