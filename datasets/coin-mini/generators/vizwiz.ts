import { layoutScene } from '../layout.ts'
import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { CLASSES, COLORS, SIGN_WORDS } from '../vocab.ts'

/**
 * VizWiz: short questions a blind person asks about a photo of one or two things. About a
 * quarter cannot be answered from the picture (the thing asked about is not there, nothing is
 * printed, or the photo shows nothing) and the answer is then "unanswerable".
 */
export const UNANSWERABLE = 'unanswerable'

type Kind = 'color' | 'what' | 'read' | 'is-it'
const KINDS: readonly Kind[] = ['color', 'what', 'read', 'is-it']
const KIND_WEIGHTS = [0.35, 0.25, 0.2, 0.2]

export function vizwiz(rng: Rng): Sample {
  const kind = KINDS[rng.weighted(KIND_WEIGHTS)] as Kind
  const cls = rng.pick(CLASSES)
  const color = rng.pick(COLORS)
  switch (kind) {
    case 'color': {
      const present = rng.chance(0.7)
      const other = rng.pick(CLASSES.filter((c) => c !== cls))
      const specs = present ? [{ cls, color }] : [{ cls: other, color }]
      if (rng.chance(0.4)) {
        specs.push({
          cls: rng.pick(CLASSES.filter((c) => c !== cls && c !== other)),
          color: rng.pick(COLORS),
        })
      }
      const { scene } = layoutScene(rng, specs)
      return {
        scene,
        question: rng.pick([`What color is this ${cls}?`, `Can you tell me the color of this ${cls}?`]),
        answer: present ? color : UNANSWERABLE,
      }
    }
    case 'what': {
      // A blurred or empty photo: nothing to recognise.
      const blank = rng.chance(0.25)
      const { scene } = layoutScene(rng, blank ? [] : [{ cls, color, size: 'large' }])
      return {
        scene,
        question: rng.pick(['What is this?', 'Can you tell me what this is?']),
        answer: blank ? UNANSWERABLE : cls,
      }
    }
    case 'read': {
      const printed = rng.chance(0.7)
      const word = rng.pick(SIGN_WORDS)
      const { scene } = layoutScene(rng, [
        printed ? { cls: 'label', color, size: 'large', text: word } : { cls: 'label', color, size: 'large' },
      ])
      return {
        scene,
        question: rng.pick(['What does this say?', 'What does this label say?']),
        answer: printed ? word : UNANSWERABLE,
      }
    }
    case 'is-it': {
      const yes = rng.chance(0.5)
      const shown = yes ? cls : rng.pick(CLASSES.filter((c) => c !== cls))
      const { scene } = layoutScene(rng, [{ cls: shown, color, size: 'large' }])
      return { scene, question: `Is this a ${cls}?`, answer: yes ? 'yes' : 'no' }
    }
  }
}
