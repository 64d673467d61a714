import { COIN_TASK_IDS } from '../../datasets/coin-mini/tasks.ts'

/**
 * JSON Schemas of the template files in datasets/templates/. A set file maps every CoIN task to
 * one instruction ("original", "diverse") or to exactly eleven ("paraphrase", the eleven
 * instruction strings of CoIN's 10-type runs). An instruction is one
 * line (it becomes the last line of a prompt) with no braces, except Grounding's, which must end
 * in ": {ref}" so the referring expression can be carried over when a template is swapped (see
 * apply.ts).
 */
export const PARAPHRASE_COUNT = 11

/** Grounding's instruction: one line, no other colon or brace, then ": {ref}". */
export const GROUNDING_PATTERN = '^[^\\n\\r:{}]+: \\{ref\\}$'
/** Every other task's instruction: one non-empty line without braces (no placeholders). */
export const PLAIN_PATTERN = '^[^\\n\\r{}]+$'

function instructionSchema(task: string): object {
  return { type: 'string', pattern: task === 'grounding' ? GROUNDING_PATTERN : PLAIN_PATTERN }
}

function setSchema(perTask: (task: string) => object): object {
  return {
    type: 'object',
    required: ['templates'],
    additionalProperties: false,
    properties: {
      /** Where the strings come from and whether they were checked against CoIN: free-text notes. */
      _source: { type: 'object', additionalProperties: { type: 'string' } },
      templates: {
        type: 'object',
        required: [...COIN_TASK_IDS],
        additionalProperties: false,
        properties: Object.fromEntries(COIN_TASK_IDS.map((t) => [t, perTask(t)])),
      },
    },
  }
}

/** original.json, diverse.json: one instruction per task. */
export const SINGLE_SET_SCHEMA = setSchema(instructionSchema)

/** paraphrase.json: eleven different instructions per task. */
export const PARAPHRASE_SET_SCHEMA = setSchema((task) => ({
  type: 'array',
  minItems: PARAPHRASE_COUNT,
  maxItems: PARAPHRASE_COUNT,
  uniqueItems: true,
  items: instructionSchema(task),
}))
