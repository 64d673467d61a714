/**
 * A small, independent check of CoIN's record and scene formats (DOMAIN.md §1.2), written here
 * rather than borrowed from the dataset loaders so the generator is tested against the spec, not
 * against another implementation of it. Each function returns the problems it finds (empty = ok).
 */
const BBOX = /^\[[01]\.\d\d, [01]\.\d\d, [01]\.\d\d, [01]\.\d\d\]$/

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== ''

function keysProblem(r: Json, allowed: readonly string[]): string[] {
  const extra = Object.keys(r).filter((k) => !allowed.includes(k))
  return extra.length ? [`unexpected keys ${extra.join(', ')}`] : []
}

export function trainRecordProblems(r: unknown): string[] {
  if (!isObject(r)) return ['not an object']
  const p = keysProblem(r, ['id', 'image', 'conversations'])
  if (!isText(r.id)) p.push('id is not a string')
  if (!isText(r.image)) p.push('image is not a string')
  const turns = r.conversations
  if (!Array.isArray(turns) || turns.length !== 2) return [...p, 'conversations is not two turns']
  const [human, gpt] = turns as unknown[]
  if (!isObject(human) || human.from !== 'human' || !isText(human.value)) p.push('turn 0 is not a human turn')
  else if (!human.value.startsWith('<image>\n')) p.push('human turn does not start with "<image>\\n"')
  if (!isObject(gpt) || gpt.from !== 'gpt' || !isText(gpt.value)) p.push('turn 1 is not a gpt answer')
  return p
}

export function testRecordProblems(r: unknown, grounding: boolean): string[] {
  if (!isObject(r)) return ['not an object']
  const p = keysProblem(
    r,
    grounding
      ? ['question_id', 'image', 'text', 'answer', 'answer_bbox', 'size']
      : ['question_id', 'image', 'text', 'answer'],
  )
  if (!isText(r.question_id)) p.push('question_id is not a string')
  if (!isText(r.image)) p.push('image is not a string')
  if (!isText(r.text)) p.push('text is not a string')
  else if (r.text.includes('<image>')) p.push('text contains <image>')
  const a = r.answer
  const answerOk = isText(a) || (Array.isArray(a) && a.length === 10 && a.every(isText))
  if (!answerOk) p.push('answer is neither a string nor 10 strings')
  if (grounding) {
    if (typeof r.answer_bbox !== 'string' || !BBOX.test(r.answer_bbox))
      p.push('answer_bbox is not "[x1, y1, x2, y2]"')
    const size = r.size
    if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && v > 0)) {
      p.push('size is not [width, height]')
    }
  }
  return p
}

export function sceneProblems(s: unknown): string[] {
  if (!isObject(s)) return ['not an object']
  const p = keysProblem(s, ['width', 'height', 'objects'])
  const { width, height, objects } = s
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    (width as number) <= 0 ||
    (height as number) <= 0
  ) {
    return [...p, 'width/height are not positive integers']
  }
  if (!Array.isArray(objects)) return [...p, 'objects is not a list']
  for (const [i, o] of (objects as unknown[]).entries())
    p.push(...objectProblems(o, i, width as number, height as number))
  return p
}

/** The instruction is the last line of a prompt (CoIN's convention). */
export function lastLine(prompt: string): string {
  return prompt.slice(prompt.lastIndexOf('\n') + 1)
}

function objectProblems(o: unknown, i: number, width: number, height: number): string[] {
  if (!isObject(o)) return [`object ${i} is not an object`]
  const p = keysProblem(o, ['class', 'color', 'x', 'y', 'w', 'h', 'text']).map((m) => `object ${i}: ${m}`)
  if (!isText(o.class) || !isText(o.color)) p.push(`object ${i} lacks class or color`)
  if (o.text !== undefined && !isText(o.text)) p.push(`object ${i} text is empty`)
  const box = [o.x, o.y, o.w, o.h]
  if (!box.every(Number.isInteger)) return [...p, `object ${i} box is not integer pixels`]
  const [x, y, w, h] = box as [number, number, number, number]
  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height)
    p.push(`object ${i} box is outside the image`)
  return p
}
