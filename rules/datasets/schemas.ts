/**
 * JSON Schemas (draft-07, checked with ajv) for one record of each CoIN file kind, DOMAIN.md §1.2.
 * Each schema node's `description` is the "expected ..." phrase a diagnostic prints when a value at
 * that node is wrong, so the wording lives next to the rule it explains.
 *
 * Records may carry extra fields (CoIN's files do); only the fields coin reads are checked.
 */

const ID = { type: ['string', 'number'], description: 'a string or a number' }

/** A number as CoIN writes bbox coordinates: "0.12", "-1", ".5", "1e-3". */
const NUMBER_TEXT = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`
/** "[x1, y1, x2, y2]", brackets optional, any spacing. */
export const BBOX_PATTERN = String.raw`^\s*\[?\s*${NUMBER_TEXT}(?:\s*,\s*${NUMBER_TEXT}){3}\s*\]?\s*$`

const TURN = {
  type: 'object',
  description: 'a turn {"from": "human" | "gpt", "value": "<text>"}',
  required: ['from', 'value'],
  properties: {
    from: { enum: ['human', 'gpt'], description: '"human" or "gpt"' },
    value: { type: 'string', description: 'a string (the text of the turn)' },
  },
}

export const TRAIN_RECORD_SHAPE =
  '{"id": "<id>", "image": "<relative path>", "conversations": [{"from": "human", "value": "<image>\\n<question>\\n<instruction>"}, {"from": "gpt", "value": "<answer>"}]}'

export const trainRecordSchema = {
  type: 'object',
  description: `a train record ${TRAIN_RECORD_SHAPE}`,
  required: ['conversations'],
  anyOf: [{ required: ['id'] }, { required: ['question_id'] }],
  properties: {
    id: ID,
    question_id: ID,
    image: { type: 'string', description: 'a string (the image path, relative to the image folder)' },
    conversations: {
      type: 'array',
      minItems: 2,
      description: 'an array of at least 2 turns: a human question then the gpt answer',
      items: TURN,
    },
  },
}

export const TEST_RECORD_SHAPE =
  '{"question_id": "<id>", "image": "<relative path>", "text": "<question>\\n<instruction>", "answer": "<answer>"}'

const TEST_PROPERTIES = {
  question_id: ID,
  image: { type: 'string', description: 'a string (the image path, relative to the image folder)' },
  text: { type: 'string', description: 'a string (the question; its last line is the instruction)' },
  answer: {
    description: 'a string, or a non-empty array of strings (e.g. the 10 human answers of a VQA question)',
    anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, items: { type: 'string' } }],
  },
  answer_bbox: {
    type: 'string',
    pattern: BBOX_PATTERN,
    description: 'a string "[x1, y1, x2, y2]" of 4 numbers (normalised to the padded square image)',
  },
  size: {
    type: 'array',
    minItems: 2,
    maxItems: 2,
    items: { type: 'number', exclusiveMinimum: 0, description: 'a positive number' },
    description: 'an array [width, height] of 2 positive numbers (the original image size)',
  },
}

export const testRecordSchema = {
  type: 'object',
  description: `a test record ${TEST_RECORD_SHAPE}`,
  required: ['question_id', 'text', 'answer'],
  properties: TEST_PROPERTIES,
}

export const GROUNDING_TEST_RECORD_SHAPE =
  '{"question_id": "<id>", "image": "<relative path>", "text": "<instruction>: <referring expression>", "answer_bbox": "[x1, y1, x2, y2]", "size": [<width>, <height>]}'

/**
 * Grounding is scored by IoU against `answer_bbox`, scaled by `size`, so both are required;
 * `answer` is optional, as in CoIN's files, where the loader falls back to `answer_bbox` (CoIN's
 * LAVIS dataset does the same: `info['answer'] if 'answer' in info else info['answer_bbox']`).
 */
export const groundingTestRecordSchema = {
  ...testRecordSchema,
  description: `a grounding test record ${GROUNDING_TEST_RECORD_SHAPE}`,
  required: ['question_id', 'text', 'answer_bbox', 'size'],
}

export const PREDICTION_RECORD_SHAPE =
  '{"question_id": "<id>", "text": "<model output>", "prompt": "...", ...}'

export const predictionRecordSchema = {
  type: 'object',
  description: `a prediction ${PREDICTION_RECORD_SHAPE}`,
  required: ['question_id', 'text'],
  properties: {
    question_id: ID,
    text: { type: 'string', description: 'a string (the model output)' },
    prompt: { type: 'string', description: 'a string (the prompt the model saw)' },
    answer_id: { type: 'string', description: 'a string' },
    model_id: { type: 'string', description: 'a string' },
  },
}
