/**
 * InsInfo (OPPO-Mente-Lab/InsCL replay/tag_utils.py, `get_InsInfo_dic`): the information of an
 * instruction is the IDF sum of its tags over the instructions seen so far,
 *
 *   InsInfo(x) = Σ_{tag ∈ tags(x)} log(N / f(tag)),
 *
 * N = number of instructions of tasks 1..t, f(tag) = how many of those instructions carry the tag
 * (each instruction's tag list is deduplicated first). Scores are normalised to sum 1 within a
 * task and listed from the largest down, as InsCL's sampler expects.
 *
 * InsCL tags with GPT-4 and merges near-duplicate tags with phrase-BERT + DBSCAN. The tagger here
 * is pluggable: `wordTagger` (the embedded default) is deterministic and needs no model; an LLM
 * tagger (scripts/) can hand in its tags as a map instead. The DBSCAN merge is skipped: the word
 * tagger's tags are already normalised words, so near-duplicates are rare.
 */

export type Tagger = (instruction: string) => string[]

/** Words that carry no intention (articles, auxiliaries, pronouns, prepositions). */
const STOPWORDS = new Set(
  `a an the is are was were be been am do does did of in on at to for from with by and or but
   this that these those it its there here what which who whom whose how why when where
   i you he she we they me my your our their his her them us can could would should will shall
   may might must any some all each not no yes as if than then so into onto over under up down
   using use please`.split(/\s+/),
)

/**
 * Deterministic tags: the instruction's content words, lower-cased, letters only, a plural `s`
 * dropped (a crude stand-in for InsCL's NLTK lemmatiser), stopwords removed, deduplicated.
 */
export const wordTagger: Tagger = (instruction) => {
  const tags = new Set<string>()
  for (const raw of instruction.toLowerCase().split(/[^a-z]+/)) {
    if (raw.length < 2 || STOPWORDS.has(raw)) continue
    const w = raw.length > 3 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw
    tags.add(w)
  }
  return [...tags]
}

export interface InsInfo {
  /** Instructions of one task, the largest InsInfo first (ties: input order). */
  instructions: string[]
  /** Their normalised scores (sum 1; uniform if every raw score is 0). */
  scores: number[]
  /** Raw IDF sums, same order. */
  raw: number[]
}

/**
 * InsInfo of every instruction of the tasks in `pool` (tasks 1..t, each a list of distinct
 * instructions), for the tasks named in `wanted` (the earlier tasks replay samples from).
 */
export function insInfo(
  pool: ReadonlyMap<string, readonly string[]>,
  tagger: Tagger,
  wanted: readonly string[],
): Map<string, InsInfo> {
  const tagsOf = new Map<string, Map<string, string[]>>()
  const freq = new Map<string, number>()
  let total = 0
  for (const [task, instructions] of pool) {
    const m = new Map<string, string[]>()
    for (const ins of instructions) {
      const tags = [...new Set(tagger(ins))]
      m.set(ins, tags)
      total++
      for (const t of tags) freq.set(t, (freq.get(t) ?? 0) + 1)
    }
    tagsOf.set(task, m)
  }
  const out = new Map<string, InsInfo>()
  for (const task of wanted) {
    const m = tagsOf.get(task)
    if (!m) throw new RangeError(`InsInfo: task ${task} is not in the pool`)
    const rows = [...m].map(([ins, tags], order) => ({
      ins,
      order,
      raw: tags.reduce((s, t) => s + Math.log(total / freq.get(t)!), 0),
    }))
    rows.sort((x, y) => y.raw - x.raw || x.order - y.order)
    const sum = rows.reduce((s, r) => s + r.raw, 0)
    out.set(task, {
      instructions: rows.map((r) => r.ins),
      raw: rows.map((r) => r.raw),
      scores: rows.map((r) => (sum > 0 ? r.raw / sum : 1 / rows.length)),
    })
  }
  return out
}
