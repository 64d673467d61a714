/**
 * Splits a CoIN question text into its body and its instruction template. The last line of a test
 * record's `text` (and of a train record's first human turn) is the instruction, e.g.
 * "Answer the question using a single word or phrase."; CoIN's GK prompt builder strips it with
 * `text.split('\n')[:-1]` (create_prompt.py, DOMAIN.md §1.2). Swapping instruction types
 * (Original, Type2, the 10 paraphrases of §1.3) means replacing exactly this line.
 *
 * A text with no newline is all instruction and no body, matching Python's `[:-1]` of a one-item
 * list. The body keeps its own inner newlines (a ScienceQA context spans several lines).
 */
export function splitInstruction(text: string): { body: string; instruction: string } {
  const cut = text.lastIndexOf('\n')
  if (cut === -1) return { body: '', instruction: text }
  return { body: text.slice(0, cut), instruction: text.slice(cut + 1) }
}

/** The inverse of `splitInstruction`: puts an instruction on its own last line after a body. */
export function joinInstruction(body: string, instruction: string): string {
  return body === '' ? instruction : `${body}\n${instruction}`
}
