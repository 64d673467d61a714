/**
 * The three record shapes CoIN's files hold (DOMAIN.md §1.2). These types are the contract between
 * the dataset loaders (which validate files into them) and everything downstream: templating,
 * learners, prediction and the scorers.
 */

/** One turn of a LLaVA conversation. Turns alternate human, gpt, human, ... */
export interface ConversationTurn {
  from: 'human' | 'gpt'
  value: string
}

/**
 * A training example in LLaVA conversation format (`<Task>/train.json`, a JSON array of these).
 * CoIN's files carry `id` for most tasks and `question_id` for some; at least one is present.
 * When `image` is set, the first human turn carries the `<image>` token (CoIN writes it as the
 * `<image>\n` prefix); text-only records have neither.
 */
export interface TrainRecord {
  id?: string | number
  question_id?: string | number
  image?: string
  conversations: ConversationTurn[]
  /** CoIN files may carry more fields; loaders keep them untouched. */
  [extra: string]: unknown
}

/**
 * An evaluation example (`<Task>/test.json` or `val.json`, a JSON array of these). `text` is the
 * question with the instruction template as its last line. `answer` is one string in CoIN's files;
 * CoIN-mini may give the 10 human answers of a VQA-style task as an array instead.
 * Grounding adds `answer_bbox` ("[x1, y1, x2, y2]", normalised to the padded square image) and
 * `size` ([width, height] of the original image).
 */
export interface TestRecord {
  question_id: string | number
  image?: string
  text: string
  answer: string | string[]
  answer_bbox?: string
  size?: [number, number]
  [extra: string]: unknown
}

/** One line of a prediction file (`merge.jsonl`): the model's output for one test record. */
export interface Prediction {
  question_id: string | number
  text: string
  prompt?: string
  answer_id?: string
  model_id?: string
  metadata?: unknown
  [extra: string]: unknown
}
