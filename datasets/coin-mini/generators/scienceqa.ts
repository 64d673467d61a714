import { layoutScene } from '../layout.ts'
import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { CLASSES, COLORS, GROUPS, groupOf, isLiving } from '../vocab.ts'

/**
 * ScienceQA: multiple choice about the one object in the picture. The options are listed in the
 * question ("A. red\nB. blue ..."), the answer is a letter, so the learner must match what it sees
 * against the option text: the colour, the object, its group, living or not.
 */
const LETTERS = ['A', 'B', 'C', 'D'] as const

type Kind = 'color' | 'object' | 'group' | 'living'
const KINDS: readonly Kind[] = ['color', 'object', 'group', 'living']
const KIND_WEIGHTS = [0.35, 0.25, 0.25, 0.15]

export function scienceqa(rng: Rng): Sample {
  const cls = rng.pick(CLASSES)
  const color = rng.pick(COLORS)
  const { scene } = layoutScene(rng, [{ cls, color, size: 'large' }])
  const kind = KINDS[rng.weighted(KIND_WEIGHTS)] as Kind
  const { question, correct, distractors } = ask(kind, cls, color, rng)
  const options = rng.shuffle([correct, ...distractors])
  const lines = options.map((o, i) => `${LETTERS[i]}. ${o}`)
  return {
    scene,
    question: [question, ...lines].join('\n'),
    answer: LETTERS[options.indexOf(correct)] as string,
  }
}

function ask(
  kind: Kind,
  cls: string,
  color: string,
  rng: Rng,
): { question: string; correct: string; distractors: string[] } {
  switch (kind) {
    case 'color':
      return {
        question: `Which color is the ${cls} in the picture?`,
        correct: color,
        distractors: rng.sample(
          COLORS.filter((c) => c !== color),
          3,
        ),
      }
    case 'object':
      return {
        question: 'Which object is shown in the picture?',
        correct: cls,
        distractors: rng.sample(
          CLASSES.filter((c) => c !== cls),
          3,
        ),
      }
    case 'group':
      return {
        question: 'Which group does the object in the picture belong to?',
        correct: groupOf(cls),
        distractors: GROUPS.filter((g) => g !== groupOf(cls)),
      }
    case 'living':
      return {
        question: 'Which describes the object in the picture?',
        correct: isLiving(cls) ? 'a living thing' : 'a nonliving thing',
        distractors: [isLiving(cls) ? 'a nonliving thing' : 'a living thing'],
      }
  }
}
