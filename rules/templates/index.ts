/** Instruction templates: named sets of per-task instructions and the rewrite that applies them. */
export {
  applyTemplate,
  type ConversationRecord,
  fillRef,
  type QuestionRecord,
  REF_PLACEHOLDER,
} from './apply.ts'
export { DEFAULT_TEMPLATE_DIR, loadTemplateSet, TEMPLATE_SET_NAMES, type TemplateSetName } from './load.ts'
export { PARAPHRASE_COUNT } from './schema.ts'
