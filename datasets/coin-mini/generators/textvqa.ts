import { layoutScene } from '../layout.ts'
import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { CLASSES, COLORS, SIGN_NUMBERS, SIGN_WORDS, TEXT_CARRIERS } from '../vocab.ts'

/**
 * TextVQA: read the text printed on an object ("What does the sign say?"). Exactly one object in
 * a scene carries text; the others are distractors. Test records carry ten human answers, a few
 * of them noisy, as TextVQA's do, so the scorer's VQA soft accuracy is exercised.
 */
export function textvqa(rng: Rng): Sample {
  const carrier = rng.pick(TEXT_CARRIERS)
  const isNumber = rng.chance(0.2)
  const word = isNumber ? rng.pick(SIGN_NUMBERS) : rng.pick(SIGN_WORDS)
  const others = rng.sample(
    CLASSES.filter((c) => c !== carrier),
    rng.int(0, 2),
  )
  const { scene } = layoutScene(rng, [
    { cls: carrier, color: rng.pick(COLORS), size: 'large', text: word },
    ...others.map((cls) => ({ cls, color: rng.pick(COLORS) })),
  ])
  const question = isNumber
    ? `What number is on the ${carrier}?`
    : rng.pick([
        `What does the ${carrier} say?`,
        `What is written on the ${carrier}?`,
        `What word is on the ${carrier}?`,
      ])
  return { scene, question, answer: word, humanAnswers: humanAnswers(rng, word, carrier) }
}

/** Ten answers: the truth at least seven times (so it scores 1.0), the rest plausible noise. */
function humanAnswers(rng: Rng, word: string, carrier: string): string[] {
  const noisy = 10 - rng.int(7, 10)
  const noise = Array.from({ length: noisy }, () =>
    rng.pick([`${word} ${carrier}`, rng.pick(SIGN_WORDS.filter((w) => w !== word)), 'unanswerable']),
  )
  return rng.shuffle([...Array.from({ length: 10 - noisy }, () => word), ...noise])
}
