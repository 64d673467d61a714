import type { TrainRecord as TextRecord } from '../../rules/datasets/records.ts'
import { deriveSeed, mulberry32, type Rng } from './prng.ts'
import type { TrainRecord } from './records.ts'
import { cellOf, cellWords, holds, RELATIONS, type Scene, type SceneObject } from './scene.ts'

/**
 * The generic alignment task the embedded base is pre-trained on: LLaVA's stage 1 (projector
 * alignment on image descriptions) for CoIN-mini, so the zero-shot row and FWT's baseline come
 * from a model that never saw the eight tasks (CoIN's base is the stage-1 model, DOMAIN.md §1.1).
 * Every record describes objects of one scene: what is at a place ("red cat"), the colour of a
 * named object ("red"), the object of a colour ("cat"), where an object is ("top left"), what is
 * next to a named object ("red cat"), what is written on it (its text). None asks a task's question type (no counting, yes/no, relation,
 * multiple choice, box or reading-a-book-cover question) or uses a task's instruction, and no
 * answer is a letter, a box, a number or "unanswerable", so the tasks' answer formats are new to
 * the base. Scenes come from the tasks' training images only; three records per scene.
 */
export const ALIGNMENT_INSTRUCTION = 'Describe it briefly.'
const PER_SCENE = 3

export function alignmentRecords(scenes: ReadonlyMap<string, Scene>, seed: number): TrainRecord[] {
  const records: TrainRecord[] = []
  for (const [image, scene] of scenes) {
    if (scene.objects.length === 0) continue
    const rng = mulberry32(deriveSeed(seed, `alignment:${image}`))
    const kinds = rng.sample(KINDS, PER_SCENE)
    for (const kind of kinds) {
      // A kind the scene cannot answer (no text, no unique colour) falls back to "what is at a place".
      const qa = kind(scene, rng) ?? KINDS[0]!(scene, rng)!
      records.push({
        id: `align-${records.length}`,
        image,
        conversations: [
          { from: 'human', value: `<image>\n${qa.question}\n${ALIGNMENT_INSTRUCTION}` },
          { from: 'gpt', value: qa.answer },
        ],
      })
    }
  }
  return records
}

type Describe = (scene: Scene, rng: Rng) => { question: string; answer: string } | undefined

/** One of `items`, or undefined when there is none. */
const pickOf = <T>(rng: Rng, items: readonly T[]): T | undefined =>
  items.length ? rng.pick(items) : undefined
const place = (o: SceneObject, s: Scene) => cellWords(cellOf(o, s.width, s.height))
const unique = <K>(s: Scene, key: (o: SceneObject) => K, o: SceneObject) =>
  s.objects.filter((p) => key(p) === key(o)).length === 1

const KINDS: Describe[] = [
  // What is at a place: the object and its colour.
  (s, rng) => {
    const o = rng.pick(s.objects)
    return { question: `What do you see ${place(o, s)}?`, answer: `${o.color} ${o.class}` }
  },
  // The colour of a named object.
  (s, rng) => {
    const o = pickOf(
      rng,
      s.objects.filter((p) => unique(s, (q) => q.class, p)),
    )
    return o && { question: `Look at the ${o.class}. Its colour?`, answer: o.color }
  },
  // The object of a colour.
  (s, rng) => {
    const o = pickOf(
      rng,
      s.objects.filter((p) => unique(s, (q) => q.color, p)),
    )
    return o && { question: `Look at the ${o.color} thing. What is it?`, answer: o.class }
  },
  // Where a named object is.
  (s, rng) => {
    const o = pickOf(
      rng,
      s.objects.filter((p) => unique(s, (q) => q.class, p)),
    )
    return o && { question: `Where is the ${o.class}?`, answer: place(o, s).replace(/^(on|in) the /, '') }
  },
  // What is next to a named object (the only object on that side of it).
  (s, rng) => {
    const pairs = s.objects.flatMap((b) =>
      unique(s, (q) => q.class, b)
        ? RELATIONS.flatMap((rel) => {
            const cb = cellOf(b, s.width, s.height)
            const hits = s.objects.filter((a) => a !== b && holds(rel, cellOf(a, s.width, s.height), cb))
            return hits.length === 1 ? [{ a: hits[0]!, b, rel }] : []
          })
        : [],
    )
    const p = pickOf(rng, pairs)
    return (
      p && { question: `What do you see ${p.rel} the ${p.b.class}?`, answer: `${p.a.color} ${p.a.class}` }
    )
  },
  // What is written on an object.
  (s, rng) => {
    const o = pickOf(
      rng,
      s.objects.filter((p) => p.text !== undefined),
    )
    return o?.text
      ? { question: `Look at the ${o.class}. The writing on it?`, answer: o.text.toLowerCase() }
      : undefined
  },
]

/**
 * The language half of the base: CoIN's base is Vicuna, an LLM that can already write every
 * answer string ("A", "yes", "3", "[0.12, 0.30, 0.45, 0.61]"); the embedded model starts from
 * random weights, so the base also learns to write each answer of the vocabulary from text alone
 * ("Say: yes" → "yes"). No image, no question, no instruction of any task: the answers' forms
 * become known, not the tasks.
 */
const SAY = ['Say: {a}', 'Repeat after me: {a}', 'Write this down: {a}', 'Copy: {a}']

export function languageRecords(answers: readonly string[]): TextRecord[] {
  return [...new Set(answers)].sort().flatMap((a, i) =>
    SAY.map((form, k) => ({
      id: `say-${i}-${k}`,
      conversations: [
        { from: 'human' as const, value: form.replace('{a}', a) },
        { from: 'gpt' as const, value: a },
      ],
    })),
  )
}
