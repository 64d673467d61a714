/**
 * Ground-truth answers come as one string (CoIN's files) or a list (CoIN-mini's VQA-style tasks
 * may carry all 10 human answers). These helpers give each rule the form it needs.
 */

/** All given answers as a list. */
export function answerList(answer: string | readonly string[]): string[] {
  return typeof answer === 'string' ? [answer] : [...answer]
}

/**
 * The single answer a CoIN exact-match rule compares against. CoIN's files hold one string; for a
 * list, the most frequent answer (ties: the earliest) stands in for it, as VQA's "multiple choice
 * answer" does. This is coin's extension; CoIN's scripts would crash on a list.
 */
export function primaryAnswer(answer: string | readonly string[]): string {
  if (typeof answer === 'string') return answer
  const counts = new Map<string, number>()
  for (const a of answer) counts.set(a, (counts.get(a) ?? 0) + 1)
  let best = answer[0] ?? ''
  for (const a of answer) if (counts.get(a)! > counts.get(best)!) best = a
  return best
}

/** Exact-match rules report a parse failure only when the output is empty or whitespace. */
export function isBlank(text: string): boolean {
  return text.trim() === ''
}
