/**
 * The progress line protocol: a command prints one JSON object a line on stdout,
 *
 *   {"coin":"progress","step":120,"total":600,"loss":0.52,"lr":0.0002}
 *
 * and coin turns it into a progress event (the live view shows step/total, the metrics and an
 * ETA). `"coin":"progress"` marks the line; `step`/`total` are non-negative integers, `message` a
 * string, `resumed` (a non-negative integer) the step a run resumed at from its scratch
 * directory (`{"coin":"progress","resumed":400,"step":400,"total":600}`; the view says
 * "resumed at step 400"), and every other key a metric (a finite number or a string). Anything else, including a
 * malformed marked line, is an ordinary log line. The Python side writes them with
 * scripts/progress.py.
 */
import type { Progress } from '../config/define.ts'

const MARK = '"coin"'

/** The progress a line reports, or null if it is not a protocol line. */
export function parseProgressLine(line: string): Progress | null {
  const text = line.trim()
  if (!text.startsWith('{') || !text.includes(MARK)) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const { coin, ...fields } = value as Record<string, unknown>
  if (coin !== 'progress') return null
  const progress: Progress = {}
  for (const [key, v] of Object.entries(fields)) {
    if (key === 'step' || key === 'total' || key === 'resumed') {
      if (!Number.isInteger(v) || (v as number) < 0) return null
      progress[key] = v as number
    } else if (key === 'message') {
      if (typeof v !== 'string') return null
      progress.message = v
    } else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string') {
      progress[key] = v
    } else return null
  }
  return progress
}

/**
 * Splits a stream of chunks into whole lines (a chunk may end mid-line); `flush` returns the
 * unterminated rest at the end of the stream.
 */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let rest = ''
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n')
      rest = parts.pop() ?? ''
      for (const line of parts) onLine(line)
    },
    flush() {
      if (rest) onLine(rest)
      rest = ''
    },
  }
}
