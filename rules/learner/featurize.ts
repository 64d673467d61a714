/**
 * Deterministic featurisation of an example into hashed feature ids (the rows of the embedding
 * bag). Each feature is a string with a family prefix, hashed with FNV-1a 32 over its UTF-8 bytes
 * and reduced modulo featureDim. Duplicates are kept: a repeated feature counts twice in the bag.
 *
 * Families (why each one is there):
 *   bias                       every example has at least one feature
 *   w:<tok>  b:<t1>_<t2>       prompt unigrams and bigrams (lower-cased words and numbers)
 *   q:<t1>_<t2>                the question's first two words (its type: "how many", "what is")
 *   o.*                        per scene object: class, colour, class|colour, 3×3 cell|class, each
 *                              word of its printed text, class|whole text ("author|jane austen")
 *   n: nt: cnt.c               #objects, #objects with text, #objects of each class present
 *   tg.*  m.n                  the *target*: the object the question names first (class or plural
 *                              scores 4, colour 2, a printed word 2, cell words like "top left" 1;
 *                              the best score wins), else the largest object (the dominant object
 *                              of classification and "what is this" questions). Its class, colour,
 *                              cell, size, cell|size, box (corners of the padded square at a 0.1
 *                              grid, CoIN's Grounding format), text words and text. The same feature
 *                              then answers "what color is the cat left of the dog" (GQA), "what
 *                              does the sign say" (TextVQA) and "what does this say" (VizWiz), so
 *                              tasks share what they learn, and interfere, as in CoIN. m.n counts
 *                              the equally good candidates (ambiguity)
 *   mc.*                       #objects matching the named class / colour / both / printed word
 *                              (counting, existence, "is the cat red", "is this a mystery book")
 *   r.*                        relations on grid cells (the generator's convention) between the
 *                              first- and second-named objects: signs of Δcol, Δrow, Δsize, and
 *                              r.holds:<rel>=0|1 for each relation word in the question ("is the
 *                              cat left of the dog"); every other object's relation to the first
 *                              referent, crossed with the question's relation words ("what is left
 *                              of the cat" → r.q:left|c:dog)
 *   opt.*                      multiple choice ("A. red" lines): each letter crossed with whether its
 *                              text names the referent's (else the largest object's) class, colour or
 *                              text, option word × that class (so "animal" vs "vehicle" is
 *                              learnable), and whether it equals the count of the named class
 *
 * These crosses of prompt words with object tokens are what make relational, counting and
 * multiple-choice questions learnable by a bag-of-features MLP: a bag sums features, so a
 * conjunction ("the colour *of the cat*") has to be a feature of its own or be learned by the
 * hidden layer from few examples. Matching is plain string equality on lower-cased tokens.
 */
import type { Example, Scene, SceneObject } from './types.ts'

export const DEFAULT_FEATURE_DIM = 1 << 15

const GRID = 3
/** Area-fraction bin edges: clutter/small (~1–2%), large (~9%), dominant (≥20%). */
const SIZE_EDGES = [0.012, 0.04, 0.2]
const RELATION_WORDS: Record<string, 'left' | 'right' | 'above' | 'below' | undefined> = {
  left: 'left',
  right: 'right',
  above: 'above',
  over: 'above',
  top: 'above',
  below: 'below',
  under: 'below',
  beneath: 'below',
  bottom: 'below',
}

/** FNV-1a 32 over the UTF-8 bytes of `s` (an indexed charCodeAt loop: ~10× faster than for..of). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193)
      continue
    }
    if (c >= 0xd800 && c < 0xe000) {
      // A surrogate pair is one code point; a lone surrogate encodes as U+FFFD, like TextEncoder.
      const lo = c < 0xdc00 && i + 1 < s.length ? s.charCodeAt(i + 1) : 0
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00)
        i++
      } else c = 0xfffd
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 0x01000193)
    } else {
      if (c < 0x10000) h = Math.imul(h ^ (0xe0 | (c >> 12)), 0x01000193)
      else {
        h = Math.imul(h ^ (0xf0 | (c >> 18)), 0x01000193)
        h = Math.imul(h ^ (0x80 | ((c >> 12) & 63)), 0x01000193)
      }
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 63)), 0x01000193)
    }
    h = Math.imul(h ^ (0x80 | (c & 63)), 0x01000193)
  }
  return h >>> 0
}

/**
 * Whether a feature depends on the scene (the "image"): object tokens and every cross of the
 * question with the scene. The rest (bias, prompt words and bigrams, the question type, the bare
 * option letters) are text. Under lora/moelora the scene features' embedding rows belong to the
 * projector, which trains in full: they are what CoIN's mm_projector computes from the image.
 */
export function isSceneFeature(feature: string): boolean {
  if (feature === 'bias' || /^(w|b|q):/.test(feature)) return false
  if (/^opt(:[A-H]|\.n:\d+)$/.test(feature)) return false
  return true
}

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
}

/** Hashed feature ids of `example` (see the file comment for the families). */
export function featurize(example: Example, featureDim: number): Int32Array {
  const strings = featureStrings(example)
  const ids = new Int32Array(strings.length)
  for (let i = 0; i < strings.length; i++) ids[i] = fnv1a32(strings[i]!) % featureDim
  return ids
}

interface Option {
  letter: string
  words: string[]
}

/** "A. red" / "B) blue" / "(C) green" lines of a multiple-choice prompt. */
function parseOptions(prompt: string): { question: string; options: Option[] } {
  const options: Option[] = []
  const rest: string[] = []
  for (const line of prompt.split('\n')) {
    const m = /^\s*\(?([A-H])[.):]\s+(.+)$/.exec(line)
    if (m) options.push({ letter: m[1]!, words: tokenize(m[2]!) })
    else rest.push(line)
  }
  return { question: rest.join('\n'), options }
}

interface ObjInfo {
  o: SceneObject
  cls: string
  color: string
  row: number
  col: number
  size: number
  area: number
  textWords: string[]
  text: string
}

function describe(o: SceneObject, scene: Scene): ObjInfo {
  const cx = o.x + o.w / 2
  const cy = o.y + o.h / 2
  const area = (o.w * o.h) / Math.max(1, scene.width * scene.height)
  let size = 0
  while (size < SIZE_EDGES.length && area >= SIZE_EDGES[size]!) size++
  return {
    o,
    cls: o.class.toLowerCase(),
    color: o.color.toLowerCase(),
    row: clampCell(Math.floor((cy * GRID) / Math.max(1, scene.height))),
    col: clampCell(Math.floor((cx * GRID) / Math.max(1, scene.width))),
    size,
    area,
    textWords: o.text ? tokenize(o.text) : [],
    text: o.text ? tokenize(o.text).join(' ') : '',
  }
}

function clampCell(v: number): number {
  return Math.max(0, Math.min(GRID - 1, v))
}

/** Box corners normalised by the side of the image padded to a square (CoIN's Grounding format), at a 0.1 grid. */
function boxBins(o: SceneObject, scene: Scene): number[] {
  const side = Math.max(scene.width, scene.height, 1)
  const dx = (side - scene.width) / 2
  const dy = (side - scene.height) / 2
  return [o.x + dx, o.y + dy, o.x + o.w + dx, o.y + o.h + dy].map((v) => Math.round((v / side) * 10))
}

/** The feature strings before hashing (exposed for tests and for inspecting what the model sees). */
export function featureStrings(example: Example): string[] {
  const f: string[] = ['bias']
  const { question, options } = parseOptions(example.prompt)
  const q = tokenize(question)
  const all = tokenize(example.prompt)
  for (let i = 0; i < all.length; i++) {
    f.push(`w:${all[i]}`)
    if (i + 1 < all.length) f.push(`b:${all[i]}_${all[i + 1]}`)
  }
  f.push(`q:${q[0] ?? ''}_${q[1] ?? ''}`)
  const scene = example.scene
  if (scene) sceneFeatures(scene, q, options, f)
  else f.push('noscene')
  for (const opt of options) f.push(`opt:${opt.letter}`)
  if (options.length) f.push(`opt.n:${options.length}`)
  return f
}

function sceneFeatures(scene: Scene, q: string[], options: Option[], f: string[]): void {
  const objs = scene.objects.map((o) => describe(o, scene))
  f.push(`n:${objs.length}`)
  const clsCount = new Map<string, number>()
  let withText = 0
  for (const d of objs) {
    f.push(`o.c:${d.cls}`, `o.k:${d.color}`, `o.ck:${d.cls}|${d.color}`, `o.gc:${d.row}${d.col}|${d.cls}`)
    for (const w of d.textWords) f.push(`o.t:${w}`)
    if (d.text) {
      f.push(`o.ct:${d.cls}|${d.text}`)
      withText++
    }
    clsCount.set(d.cls, (clsCount.get(d.cls) ?? 0) + 1)
  }
  f.push(`nt:${withText}`)
  for (const [c, n] of clsCount) f.push(`cnt.c:${c}=${n}`)

  const mentions = objs.map((d) => mention(d, q))
  const referents = pickReferents(objs, mentions)
  const [a, b] = referents.order
  f.push(`m.n:${Math.min(referents.best, 4)}`)
  // The target: what the question is about, else the dominant (largest) object.
  const big = objs.reduce<ObjInfo | undefined>(
    (best, d) => (best && best.area >= d.area ? best : d),
    undefined,
  )
  const target = a ?? big
  f.push(`tg.src:${a ? 'named' : big ? 'largest' : 'none'}`)
  if (target) targetFeatures(target, scene, f)

  // Counts of objects matching the mentioned class, colour, both, or printed words.
  const byClass = mentions.filter((m) => m.classAt >= 0).length
  const byColor = mentions.filter((m) => m.color).length
  const both = mentions.filter((m) => m.classAt >= 0 && m.color).length
  const byText = mentions.filter((m) => m.text).length
  f.push(`mc.c:${byClass}`, `mc.k:${byColor}`, `mc.ck:${both}`, `mc.t:${byText}`)
  f.push(`mc.any:${byClass > 0 ? 1 : 0}${byColor > 0 ? 1 : 0}${both > 0 ? 1 : 0}`)

  // Relations, judged on grid cells like the generator: a = first-mentioned referent, b = the next one.
  const relWords = new Set<Relation>(q.flatMap((w) => (RELATION_WORDS[w] ? [RELATION_WORDS[w]] : [])))
  if (a && b) {
    f.push(
      `r.h:${Math.sign(a.col - b.col)}`,
      `r.v:${Math.sign(a.row - b.row)}`,
      `r.s:${Math.sign(a.size - b.size)}`,
    )
    for (const rel of relWords) f.push(`r.holds:${rel}=${holds(rel, a, b) ? 1 : 0}`)
  } else f.push('r.pair:0')
  if (a) {
    for (const d of objs) {
      if (d === a) continue
      for (const rel of RELATIONS) {
        if (!holds(rel, d, a)) continue
        f.push(`r.o:${rel}`)
        if (relWords.has(rel)) f.push(`r.q:${rel}|c:${d.cls}`, `r.q:${rel}|k:${d.color}`)
      }
    }
  }

  // Multiple choice: tie each option letter to what its text says about the scene.
  for (const opt of options) {
    const words = new Set(opt.words)
    const L = opt.letter
    if (target) {
      if (words.has(target.cls)) f.push(`opt:${L}|tg.c`)
      if (words.has(target.color)) f.push(`opt:${L}|tg.k`)
      if (target.textWords.some((w) => words.has(w))) f.push(`opt:${L}|tg.t`)
      for (const w of opt.words) f.push(`opt:${L}|${w}|c:${target.cls}`)
    }
    for (const d of objs) {
      if (words.has(d.cls)) f.push(`opt:${L}|o.c`)
      if (words.has(d.color)) f.push(`opt:${L}|o.k`)
    }
    if (opt.words.length === 1 && opt.words[0] === String(byClass)) f.push(`opt:${L}|mc.c`)
  }
}

type Relation = 'left' | 'right' | 'above' | 'below'
const RELATIONS: readonly Relation[] = ['left', 'right', 'above', 'below']

/** "d is <rel> of e" on grid cells (the generator's convention). */
function holds(rel: Relation, d: ObjInfo, e: ObjInfo): boolean {
  if (rel === 'left') return d.col < e.col
  if (rel === 'right') return d.col > e.col
  if (rel === 'above') return d.row < e.row
  return d.row > e.row
}

/** Words too common to count as naming an object by its printed text. */
const STOPWORDS = new Set(
  'a an the of and or in on at to is are was this that what which who whom how it its for by with from'.split(
    ' ',
  ),
)

interface Mention {
  /** Position in the question of the object's class (or plural), −1 if absent. */
  classAt: number
  color: boolean
  text: boolean
  /** The question names the object's cell ("top left", "on the right"). */
  cell: boolean
  /** Where the object is first named (class, else colour, else text); −1 if not named. */
  at: number
}

function mention(d: ObjInfo, q: string[]): Mention {
  const classAt = firstIndex(q, (w) => w === d.cls || w === `${d.cls}s` || w === `${d.cls}es`)
  const colorAt = q.indexOf(d.color)
  const textAt = firstIndex(q, (w) => !STOPWORDS.has(w) && d.textWords.includes(w))
  const v: string[] = q.filter((w) => w === 'top' || w === 'bottom')
  const h: string[] = q.filter((w) => w === 'left' || w === 'right')
  const cell =
    v.length + h.length > 0 &&
    (v.length === 0 || v.includes(['top', '', 'bottom'][d.row]!)) &&
    (h.length === 0 || h.includes(['left', '', 'right'][d.col]!))
  const at = classAt >= 0 ? classAt : colorAt >= 0 ? colorAt : textAt
  return { classAt, color: colorAt >= 0, text: textAt >= 0, cell, at }
}

/**
 * The objects the question is about. Score: class named 4, colour 2, printed word 2, cell words 1
 * (with the class). `best` counts the top-scoring objects; `order` starts with the first-named of
 * them, then every other named object by where the question names it ("the cat left of the dog":
 * cat, dog).
 */
function pickReferents(objs: ObjInfo[], mentions: Mention[]): { best: number; order: ObjInfo[] } {
  const scored = objs.map((d, i) => {
    const m = mentions[i]!
    const score =
      (m.classAt >= 0 ? 4 : 0) + (m.color ? 2 : 0) + (m.text ? 2 : 0) + (m.cell && m.classAt >= 0 ? 1 : 0)
    return { d, m, score }
  })
  const top = Math.max(0, ...scored.map((s) => s.score))
  const named = scored.filter((s) => s.score > 0)
  named.sort((x, y) => x.m.at - y.m.at || y.score - x.score)
  const best = named.filter((s) => s.score === top)
  // The first referent is the best-scoring object named first; the second is the next object
  // named at a different place (a different word), so two cats do not form a pair.
  const first = best[0]
  const order = first ? [first, ...named.filter((s) => s !== first && s.m.at !== first.m.at)] : []
  return { best: best.length, order: order.map((s) => s.d) }
}

function targetFeatures(d: ObjInfo, scene: Scene, f: string[]): void {
  const box = boxBins(d.o, scene)
  f.push(
    `tg.c:${d.cls}`,
    `tg.k:${d.color}`,
    `tg.g:${d.row}${d.col}`,
    `tg.s:${d.size}`,
    `tg.gs:${d.row}${d.col}|${d.size}`,
  )
  f.push(
    `tg.box:${box.join(',')}`,
    `tg.x0:${box[0]}`,
    `tg.y0:${box[1]}`,
    `tg.x1:${box[2]}`,
    `tg.y1:${box[3]}`,
  )
  for (const w of d.textWords) f.push(`tg.t:${w}`)
  if (d.text) f.push(`tg.tt:${d.text}`)
}

function firstIndex(xs: string[], pred: (x: string) => boolean): number {
  for (let i = 0; i < xs.length; i++) if (pred(xs[i]!)) return i
  return -1
}
