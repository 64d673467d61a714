import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { ALL_CELLS, cellWords, makeObject, normalisedBbox, type SizeClass } from '../scene.ts'
import { CLASSES, COLORS } from '../vocab.ts'

/**
 * Grounding (RefCOCO): give the box of the object a referring expression describes. Boxes are
 * snapped to the centre of a 3×3 grid cell at one of two sizes on a 640×480 image, so there are
 * only 9 × 2 = 18 distinct answer strings: the embedded learner classifies over answer strings.
 * When a second object is in the picture, the expression names the target's place, as RefCOCO's
 * expressions do.
 */
export const GROUNDING_SHAPE = [640, 480] as const
const SIZES: readonly SizeClass[] = ['small', 'large']

export function grounding(rng: Rng): Sample {
  const [width, height] = GROUNDING_SHAPE
  const [cell, otherCell] = rng.sample(ALL_CELLS, 2) as [
    (typeof ALL_CELLS)[number],
    (typeof ALL_CELLS)[number],
  ]
  const size = rng.pick(SIZES)
  const [cls, otherCls] = rng.sample(CLASSES, 2) as [string, string]
  const [color, otherColor] = rng.sample(COLORS, 2) as [string, string]
  const target = makeObject(width, height, { cls, color, cell, size })
  const withDistractor = rng.chance(0.35)
  const objects = withDistractor
    ? rng.shuffle([
        target,
        makeObject(width, height, { cls: otherCls, color: otherColor, cell: otherCell, size }),
      ])
    : [target]
  const place = cellWords(cell)
  const ref = withDistractor
    ? rng.pick([`the ${color} ${cls} ${place}`, `the ${cls} ${place}`, `${cls} ${place}`])
    : rng.pick([`the ${color} ${cls}`, `${color} ${cls}`, `the ${cls}`, `the ${cls} ${place}`])
  return {
    scene: { width, height, objects },
    question: '',
    ref,
    answer: normalisedBbox(target, width, height),
  }
}
