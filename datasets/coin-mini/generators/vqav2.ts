import { layoutScene } from '../layout.ts'
import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { CLASSES, COLORS, plural } from '../vocab.ts'

/**
 * VQAv2: counting ("How many cats are there?" → "0".."4"), yes/no and color questions about
 * scenes of up to six objects. Counts are small numbers and yes/no answers that other tasks also
 * use, which is where sequential training interferes.
 */
type Kind = 'count' | 'exists' | 'verify-color' | 'color'
const KINDS: readonly Kind[] = ['count', 'exists', 'verify-color', 'color']
const KIND_WEIGHTS = [0.35, 0.25, 0.2, 0.2]
const COUNT_WEIGHTS = [1.5, 2, 2, 1.5, 1]

export function vqav2(rng: Rng): Sample {
  const kind = KINDS[rng.weighted(KIND_WEIGHTS)] as Kind
  const cls = rng.pick(CLASSES)
  const others = rng
    .sample(
      CLASSES.filter((c) => c !== cls),
      rng.int(0, 2),
    )
    .map((c) => ({ cls: c, color: rng.pick(COLORS) }))
  switch (kind) {
    case 'count': {
      const n = rng.weighted(COUNT_WEIGHTS)
      const copies = Array.from({ length: n }, () => ({ cls, color: rng.pick(COLORS) }))
      const { scene } = layoutScene(rng, [...copies, ...others])
      const p = plural(cls)
      return {
        scene,
        question: rng.pick([
          `How many ${p} are there?`,
          `How many ${p} are in the picture?`,
          `How many ${p} can you see?`,
        ]),
        answer: String(n),
      }
    }
    case 'exists': {
      const yes = rng.chance(0.5)
      const { scene } = layoutScene(rng, yes ? [{ cls, color: rng.pick(COLORS) }, ...others] : others)
      return {
        scene,
        question: rng.pick([`Is there a ${cls} in the picture?`, `Are there any ${plural(cls)}?`]),
        answer: yes ? 'yes' : 'no',
      }
    }
    case 'verify-color': {
      const color = rng.pick(COLORS)
      const yes = rng.chance(0.5)
      const shown = yes ? color : rng.pick(COLORS.filter((c) => c !== color))
      const { scene } = layoutScene(rng, [{ cls, color: shown }, ...others])
      return { scene, question: `Is the ${cls} ${color}?`, answer: yes ? 'yes' : 'no' }
    }
    case 'color': {
      const color = rng.pick(COLORS)
      const { scene } = layoutScene(rng, [{ cls, color }, ...others])
      return { scene, question: `What color is the ${cls}?`, answer: color }
    }
  }
}
