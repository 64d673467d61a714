import { UserError } from '../../src/errors.ts'

/**
 * Swapping the instruction of CoIN records. CoIN puts the instruction on the LAST line of the
 * prompt (`<image>\n<question>\n<instruction>`; its GK prompt builder drops exactly that line), so
 * a template change rewrites that line and leaves the question alone.
 *
 * Grounding has no separate question: its one line is "<instruction>: <ref>". Its templates end
 * in ": {ref}"; the ref is taken from the current line (the text after its first ": ") and put in
 * place of {ref} in the new one.
 */

/** A train record (LLaVA conversation format). */
export interface ConversationRecord {
  conversations: readonly { from: string; value: string }[]
}
/** A test/val record. */
export interface QuestionRecord {
  text: string
}

export const REF_PLACEHOLDER = '{ref}'

/** Fills a template's `{ref}` (Grounding); other templates are returned as they are. */
export function fillRef(template: string, ref: string | undefined): string {
  if (!template.includes(REF_PLACEHOLDER)) return template
  if (ref === undefined)
    throw new Error(`internal error: template "${template}" needs a referring expression`)
  return template.replace(REF_PLACEHOLDER, ref)
}

/**
 * Returns copies of `records` whose instruction line is `instruction`: for train records the last
 * line of EVERY human turn (a multi-turn record carries the instruction on each question, and
 * CoIN's trainer learns every turn), for test records the last line of `text`. The input is not
 * changed. A `{ref}` in `instruction` is filled per turn from the line it replaces. `instruction`
 * may depend on the record's id (`id`, else `question_id`): the mixed 10-type set picks one string
 * per record.
 */
export function applyTemplate<R extends ConversationRecord | QuestionRecord>(
  records: readonly R[],
  task: string,
  instruction: string | ((recordId: string | number | undefined) => string),
): R[] {
  const checked = new Set<string>()
  const instructionOf = (record: object): string => {
    const r = record as { id?: string | number; question_id?: string | number }
    const text = typeof instruction === 'string' ? instruction : instruction(r.id ?? r.question_id)
    if (!checked.has(text)) checkInstruction(text, task)
    checked.add(text)
    return text
  }
  if (typeof instruction === 'string') checkInstruction(instruction, task)
  return records.map((record, i) => {
    const where = describe(record, i)
    const line = instructionOf(record)
    if ('conversations' in record) {
      if (!record.conversations.some((t) => t.from === 'human')) {
        throw new UserError({
          message: `${where} has no human turn`,
          key: where,
          fix: 'give it a {"from": "human"} turn',
        })
      }
      const conversations = record.conversations.map((t, j) =>
        t.from === 'human'
          ? { ...t, value: replaceInstructionLine(t.value, line, j === 0 ? where : `${where} turn ${j}`) }
          : t,
      )
      return { ...record, conversations }
    }
    if (typeof record.text !== 'string') {
      throw new UserError({ message: `${where} has neither "conversations" nor "text"`, key: where })
    }
    return { ...record, text: replaceInstructionLine(record.text, line, where) }
  })
}

function checkInstruction(instruction: string, task: string): void {
  if (instruction.includes('\n') || instruction.trim() === '') {
    throw new UserError({
      message: `the ${task} instruction must be one non-empty line`,
      key: task,
      fix: 'remove line breaks: the instruction becomes the last line of every prompt',
    })
  }
  if (task.toLowerCase() === 'grounding' && !instruction.includes(REF_PLACEHOLDER)) {
    throw new UserError({
      message: 'a Grounding instruction without {ref} would drop the referring expression',
      key: task,
      fix: 'end the instruction with ": {ref}"',
    })
  }
}

/** Lines that are not the instruction even when they come last: the image token, blank lines. */
function isFiller(line: string): boolean {
  const t = line.trim()
  return t === '' || t === '<image>'
}

function replaceInstructionLine(prompt: string, instruction: string, where: string): string {
  const lines = prompt.split('\n')
  const last = lines.findLastIndex((l) => !isFiller(l))
  const current = lines[last]
  if (current === undefined) {
    throw new UserError({ message: `${where} has an empty prompt`, key: where, fix: 'give it a question' })
  }
  let next = instruction
  if (instruction.includes(REF_PLACEHOLDER)) {
    const colon = current.indexOf(': ')
    if (colon < 0) {
      throw new UserError({
        message: `${where}: cannot find the referring expression in "${current}"`,
        key: where,
        fix: 'a Grounding prompt ends with "<instruction>: <referring expression>"',
      })
    }
    next = instruction.replace(REF_PLACEHOLDER, current.slice(colon + 2))
  } else if (!lines.slice(0, last).some((l) => !isFiller(l))) {
    // A one-line prompt has no separate instruction line; replacing it would drop the question.
    throw new UserError({
      message: `${where} has no instruction line after its question`,
      key: where,
      fix: 'CoIN prompts are "<question>\\n<instruction>"; add the instruction line first',
    })
  }
  lines[last] = next
  return lines.join('\n')
}

function describe(record: object, i: number): string {
  const r = record as { id?: unknown; question_id?: unknown }
  const id = r.id ?? r.question_id
  return id === undefined ? `record #${i}` : `record ${JSON.stringify(id)}`
}
