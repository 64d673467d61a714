/**
 * The closed world CoIN-mini's scenes are drawn from. The lists are shared on purpose: colours,
 * object classes, yes/no and small numbers are answers in several tasks, so a learner trained on
 * one task after another overwrites what the earlier tasks mapped those answers to (forgetting).
 * Every list is small so each task's answer set stays bounded (see README.md).
 */

export const COLORS = ['red', 'blue', 'green', 'yellow', 'black', 'white', 'orange', 'purple'] as const
export type Color = (typeof COLORS)[number]

/** Object classes by the group ScienceQA asks about; each group has four members. */
export const CLASS_GROUPS = {
  animal: ['cat', 'dog', 'bird', 'horse'],
  vehicle: ['car', 'bus', 'bicycle', 'boat'],
  food: ['apple', 'banana', 'cake', 'pizza'],
  'household item': ['cup', 'chair', 'clock', 'ball'],
} as const
export type ClassGroup = keyof typeof CLASS_GROUPS
export const GROUPS = Object.keys(CLASS_GROUPS) as ClassGroup[]

/** The sixteen classes a question can be about. */
export const CLASSES: readonly string[] = GROUPS.flatMap((g) => CLASS_GROUPS[g])

export function groupOf(cls: string): ClassGroup {
  const group = GROUPS.find((g) => (CLASS_GROUPS[g] as readonly string[]).includes(cls))
  if (!group) throw new Error(`internal error: ${cls} is in no group`)
  return group
}

export function isLiving(cls: string): boolean {
  return groupOf(cls) === 'animal'
}

const IRREGULAR_PLURALS: Record<string, string> = { bus: 'buses' }
export function plural(cls: string): string {
  return IRREGULAR_PLURALS[cls] ?? `${cls}s`
}

/**
 * Background objects that fill scenes but are never asked about, so a learner has to learn to
 * look past them (ImageNet's "single dominant object" among clutter).
 */
export const CLUTTER = ['tree', 'rock', 'cloud', 'lamp'] as const

/** Words printed on signs (TextVQA, VizWiz "what does this say"). Some overlap class names. */
export const SIGN_WORDS = [
  'stop',
  'open',
  'closed',
  'exit',
  'sale',
  'cafe',
  'hotel',
  'bank',
  'taxi',
  'police',
  'pizza',
  'coffee',
  'park',
  'welcome',
  'push',
  'pull',
  'danger',
  'enter',
  'bus',
  'market',
  'library',
  'school',
  'bakery',
  'museum',
  'station',
  'garage',
  'one way',
  'no parking',
  'keep out',
  'bus stop',
] as const

/** Numbers printed on things; "2".."4" are also VQAv2 count answers. */
export const SIGN_NUMBERS = ['2', '3', '4', '10', '24', '50'] as const

/** Objects that carry text in TextVQA scenes. "bus" and "cup" are also ordinary classes. */
export const TEXT_CARRIERS = ['sign', 'poster', 'shirt', 'bus', 'cup'] as const

/** Book covers (OCRVQA). Every author and title has a word no other one has, so text identifies it. */
export const BOOK_AUTHORS = [
  'jane austen',
  'mark twain',
  'agatha christie',
  'leo tolstoy',
  'virginia woolf',
  'franz kafka',
  'toni morrison',
  'george orwell',
  'mary shelley',
  'oscar wilde',
  'emily bronte',
  'james joyce',
  'harper lee',
  'ray bradbury',
  'ursula le guin',
  'isaac asimov',
] as const

export const BOOK_TITLES = [
  'the silent river',
  'winter garden',
  'a map of stars',
  'the copper key',
  'hidden harbor',
  'the long valley',
  'salt and honey',
  'paper lanterns',
  'the glass tower',
  'northern lights',
  'the quiet orchard',
  'iron bridges',
  'a summer of wolves',
  'the last lighthouse',
  'midnight kitchen',
  'the painted desert',
] as const

export const BOOK_GENRES = [
  'mystery',
  'romance',
  'cooking',
  'history',
  'travel',
  'poetry',
  'science',
  'fantasy',
] as const
