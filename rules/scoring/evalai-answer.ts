/**
 * EvalAI answer normalisation: a port of `EvalAIAnswerProcessor` from CoIN's
 * `ETrain/Eval/LLaVA/CoIN/m4c_evaluator.py` (itself copied from facebookresearch/mmf), used by
 * TextVQA's CoIN rule and by the strict VQAv2/VizWiz rule (DOMAIN.md §1.6). Steps, in order:
 *   1. lower-case; delete "," and "?"; "'s" → " 's"; trim
 *   2. newlines and tabs → spaces; trim
 *   3. punctuation: each mark is deleted when the text has it next to a space (or has a digit,digit
 *      comma, which step 1 already removed, so that branch never fires), else replaced by a space;
 *      then periods not followed by a digit are deleted
 *   4. number words → digits ("two" → "2", "none" → "0"), articles dropped, contractions restored
 *      ("dont" → "don't")
 * Quirks kept on purpose, because they change scores:
 *   - the period pattern is `(?!<=\d)(\.)(?!\d)`: a mistyped lookbehind that is really a lookahead,
 *     so "3.5" keeps its period only because a digit *follows* it;
 *   - Python passes `re.UNICODE` (= 32) as `re.sub`'s *count*, so at most 32 periods are deleted;
 *   - each punctuation test looks at the text as it was before any mark was processed.
 */

const CONTRACTIONS = new Map(
  Object.entries({
    aint: "ain't",
    arent: "aren't",
    cant: "can't",
    couldve: "could've",
    couldnt: "couldn't",
    "couldn'tve": "couldn't've",
    "couldnt've": "couldn't've",
    didnt: "didn't",
    doesnt: "doesn't",
    dont: "don't",
    hadnt: "hadn't",
    "hadnt've": "hadn't've",
    "hadn'tve": "hadn't've",
    hasnt: "hasn't",
    havent: "haven't",
    hed: "he'd",
    "hed've": "he'd've",
    "he'dve": "he'd've",
    hes: "he's",
    howd: "how'd",
    howll: "how'll",
    hows: "how's",
    "Id've": "I'd've",
    "I'dve": "I'd've",
    Im: "I'm",
    Ive: "I've",
    isnt: "isn't",
    itd: "it'd",
    "itd've": "it'd've",
    "it'dve": "it'd've",
    itll: "it'll",
    "let's": "let's",
    maam: "ma'am",
    mightnt: "mightn't",
    "mightnt've": "mightn't've",
    "mightn'tve": "mightn't've",
    mightve: "might've",
    mustnt: "mustn't",
    mustve: "must've",
    neednt: "needn't",
    notve: "not've",
    oclock: "o'clock",
    oughtnt: "oughtn't",
    "ow's'at": "'ow's'at",
    "'ows'at": "'ow's'at",
    "'ow'sat": "'ow's'at",
    shant: "shan't",
    "shed've": "she'd've",
    "she'dve": "she'd've",
    "she's": "she's",
    shouldve: "should've",
    shouldnt: "shouldn't",
    "shouldnt've": "shouldn't've",
    "shouldn'tve": "shouldn't've",
    "somebody'd": 'somebodyd',
    "somebodyd've": "somebody'd've",
    "somebody'dve": "somebody'd've",
    somebodyll: "somebody'll",
    somebodys: "somebody's",
    someoned: "someone'd",
    "someoned've": "someone'd've",
    "someone'dve": "someone'd've",
    someonell: "someone'll",
    someones: "someone's",
    somethingd: "something'd",
    "somethingd've": "something'd've",
    "something'dve": "something'd've",
    somethingll: "something'll",
    thats: "that's",
    thered: "there'd",
    "thered've": "there'd've",
    "there'dve": "there'd've",
    therere: "there're",
    theres: "there's",
    theyd: "they'd",
    "theyd've": "they'd've",
    "they'dve": "they'd've",
    theyll: "they'll",
    theyre: "they're",
    theyve: "they've",
    twas: "'twas",
    wasnt: "wasn't",
    "wed've": "we'd've",
    "we'dve": "we'd've",
    weve: "we've",
    werent: "weren't",
    whatll: "what'll",
    whatre: "what're",
    whats: "what's",
    whatve: "what've",
    whens: "when's",
    whered: "where'd",
    wheres: "where's",
    whereve: "where've",
    whod: "who'd",
    "whod've": "who'd've",
    "who'dve": "who'd've",
    wholl: "who'll",
    whos: "who's",
    whove: "who've",
    whyll: "why'll",
    whyre: "why're",
    whys: "why's",
    wont: "won't",
    wouldve: "would've",
    wouldnt: "wouldn't",
    "wouldnt've": "wouldn't've",
    "wouldn'tve": "wouldn't've",
    yall: "y'all",
    "yall'll": "y'all'll",
    "y'allll": "y'all'll",
    "yall'd've": "y'all'd've",
    "y'alld've": "y'all'd've",
    "y'all'dve": "y'all'd've",
    youd: "you'd",
    "youd've": "you'd've",
    "you'dve": "you'd've",
    youll: "you'll",
    youre: "you're",
    youve: "you've",
  }),
)

const NUMBER_WORDS = new Map(
  Object.entries({
    none: '0',
    zero: '0',
    one: '1',
    two: '2',
    three: '3',
    four: '4',
    five: '5',
    six: '6',
    seven: '7',
    eight: '8',
    nine: '9',
    ten: '10',
  }),
)

const ARTICLES = new Set(['a', 'an', 'the'])
const PUNCTUATION = [
  ';',
  '/',
  '[',
  ']',
  '"',
  '{',
  '}',
  '(',
  ')',
  '=',
  '+',
  '\\',
  '_',
  '-',
  '>',
  '<',
  '@',
  '`',
  ',',
  '?',
  '!',
]
const DIGIT_COMMA_DIGIT = /(?<=\d)(,)+(?=\d)/
const PERIOD_NOT_BEFORE_DIGIT = /(?!<=\d)(\.)(?!\d)/g
/** `re.UNICODE` read as re.sub's count argument (see the file comment). */
const MAX_PERIODS_REMOVED = 32

export function normalizeEvalAIAnswer(answer: string): string {
  let text = answer.toLowerCase().replaceAll(',', '').replaceAll('?', '').replaceAll("'s", " 's").trim()
  text = text.replaceAll('\n', ' ').replaceAll('\t', ' ').trim()
  text = processPunctuation(text)
  return processDigitsAndArticles(text)
}

function processPunctuation(input: string): string {
  const digitComma = DIGIT_COMMA_DIGIT.test(input)
  let out = input
  for (const mark of PUNCTUATION) {
    const touchesSpace = input.includes(`${mark} `) || input.includes(` ${mark}`)
    out = out.replaceAll(mark, touchesSpace || digitComma ? '' : ' ')
  }
  let removed = 0
  return out.replace(PERIOD_NOT_BEFORE_DIGIT, (period) => (removed++ < MAX_PERIODS_REMOVED ? '' : period))
}

function processDigitsAndArticles(input: string): string {
  const words = input
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => NUMBER_WORDS.get(w) ?? w)
    .filter((w) => !ARTICLES.has(w))
  return words.map((w) => CONTRACTIONS.get(w) ?? w).join(' ')
}
