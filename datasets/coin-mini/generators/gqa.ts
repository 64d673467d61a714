import type { Layout } from '../layout.ts'
import { layoutScene } from '../layout.ts'
import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { holds, RELATIONS, type Relation } from '../scene.ts'
import { CLASSES, COLORS } from '../vocab.ts'

/**
 * GQA: questions about objects and their spatial relations in scenes of two or three objects of
 * different classes and colors, each in its own grid cell (relations are judged on cells, the
 * same coarse grid the learner's position bins use). "The object left of the dog" is only asked
 * when exactly one object is left of the dog.
 */
type Kind = 'color-of-related' | 'related-object' | 'verify-relation' | 'verify-color'
const KINDS: readonly Kind[] = ['color-of-related', 'related-object', 'verify-relation', 'verify-color']
const KIND_WEIGHTS = [0.3, 0.25, 0.3, 0.15]

interface Scenario {
  layout: Layout
  classes: string[]
  colors: string[]
  /** Indexes of the object asked about (a) and the anchor it is related to (b). */
  a: number
  b: number
  /** A relation that holds for a→b and that no other object has to b. */
  rel: Relation
}

/**
 * "What is the object left of the dog?" uses only left/right, GQA's most common relations: each
 * relation word multiplies the (relation, answer) pairs a bag-of-features learner must see, and
 * four of them spread 600 records too thin. Yes/no questions use all four.
 */
const QUERY_RELATIONS: readonly Relation[] = ['left of', 'right of']

export function gqa(rng: Rng): Sample {
  const kind = KINDS[rng.weighted(KIND_WEIGHTS)] as Kind
  const { layout, classes, colors, a, b, rel } = scenario(rng)
  const { scene, cells } = layout
  const A = classes[a] as string
  const B = classes[b] as string
  switch (kind) {
    case 'color-of-related':
      return {
        scene,
        question: rng.pick([
          `What color is the object ${rel} the ${B}?`,
          `What is the color of the thing ${rel} the ${B}?`,
        ]),
        answer: colors[a] as string,
      }
    case 'related-object':
      return {
        scene,
        question: rng.pick([`What is the object ${rel} the ${B}?`, `Which object is ${rel} the ${B}?`]),
        answer: A,
      }
    case 'verify-relation': {
      const trueRels = RELATIONS.filter((r) => holds(r, cells[a]!, cells[b]!))
      if (rng.chance(0.5))
        return { scene, question: `Is the ${A} ${rng.pick(trueRels)} the ${B}?`, answer: 'yes' }
      // A "no" is either about an object that is not there or a relation that does not hold.
      if (rng.chance(0.55)) {
        const absent = rng.pick(CLASSES.filter((c) => !classes.includes(c)))
        return { scene, question: `Is the ${absent} ${rng.pick(trueRels)} the ${B}?`, answer: 'no' }
      }
      const falseRels = RELATIONS.filter((r) => !holds(r, cells[a]!, cells[b]!))
      return { scene, question: `Is the ${A} ${rng.pick(falseRels)} the ${B}?`, answer: 'no' }
    }
    case 'verify-color': {
      if (rng.chance(0.5))
        return { scene, question: `Is there a ${colors[a]} ${A} in the image?`, answer: 'yes' }
      const otherColor = rng.pick(COLORS.filter((c) => c !== colors[a]))
      const cls = rng.chance(0.5) ? A : rng.pick(CLASSES.filter((c) => !classes.includes(c)))
      return { scene, question: `Is there a ${otherColor} ${cls} in the image?`, answer: 'no' }
    }
  }
}

/**
 * Lays out two or three objects and picks an (object, left/right, anchor) triple in which the
 * object is the only one on that side of the anchor. When none exists (all objects in one column)
 * it draws again.
 */
function scenario(rng: Rng): Scenario {
  for (;;) {
    const n = rng.int(2, 3)
    const classes = rng.sample(CLASSES, n)
    const colors = rng.sample(COLORS, n)
    const layout = layoutScene(
      rng,
      classes.map((cls, i) => ({ cls, color: colors[i] as string })),
    )
    const cells = layout.cells
    const triples = [...cells.keys()].flatMap((b) =>
      QUERY_RELATIONS.flatMap((rel) => {
        const matching = [...cells.keys()].filter((o) => o !== b && holds(rel, cells[o]!, cells[b]!))
        return matching.length === 1 ? [{ a: matching[0] as number, b, rel }] : []
      }),
    )
    if (triples.length > 0) return { layout, classes, colors, ...rng.pick(triples) }
  }
}
