import { layoutScene } from '../layout.ts'
import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { BOOK_AUTHORS, BOOK_GENRES, BOOK_TITLES, COLORS } from '../vocab.ts'

/**
 * OCR-VQA: questions about a book cover. The cover is a "book" object with three printed regions
 * on it: the title at the top, the genre label in the middle and the author at the bottom. Answers
 * are lower case (OCR-VQA is scored by lower-cased exact match).
 */
type Kind = 'author' | 'title' | 'genre' | 'is-genre'
const KINDS: readonly Kind[] = ['author', 'title', 'genre', 'is-genre']
const KIND_WEIGHTS = [0.3, 0.2, 0.25, 0.25]
const COVER_SHAPE = [480, 640] as const

export function ocrvqa(rng: Rng): Sample {
  const title = rng.pick(BOOK_TITLES)
  const author = rng.pick(BOOK_AUTHORS)
  const genre = rng.pick(BOOK_GENRES)
  const [cover, ink] = rng.sample(COLORS, 2) as [string, string]
  const { scene } = layoutScene(
    rng,
    [
      { cls: 'title', color: ink, cell: { row: 0, col: 1 }, size: 'large', text: title },
      { cls: 'label', color: ink, cell: { row: 1, col: 1 }, size: 'small', text: genre },
      { cls: 'author', color: ink, cell: { row: 2, col: 1 }, size: 'large', text: author },
    ],
    COVER_SHAPE,
  )
  const [width, height] = COVER_SHAPE
  // The cover spans the picture; it goes first so the printed regions lie on top of it.
  scene.objects.unshift({ class: 'book', color: cover, x: 0, y: 0, w: width, h: height })
  const kind = KINDS[rng.weighted(KIND_WEIGHTS)] as Kind
  switch (kind) {
    case 'author':
      return {
        scene,
        question: rng.pick(['Who wrote this book?', 'Who is the author of this book?']),
        answer: author,
      }
    case 'title':
      return { scene, question: 'What is the title of this book?', answer: title }
    case 'genre':
      return {
        scene,
        question: rng.pick(['What is the genre of this book?', 'What type of book is this?']),
        answer: genre,
      }
    case 'is-genre': {
      const yes = rng.chance(0.5)
      const asked = yes ? genre : rng.pick(BOOK_GENRES.filter((g) => g !== genre))
      return { scene, question: `Is this a ${asked} book?`, answer: yes ? 'yes' : 'no' }
    }
  }
}
