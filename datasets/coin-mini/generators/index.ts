import type { SampleGenerator } from '../sample.ts'
import type { CoinTaskId } from '../tasks.ts'
import { gqa } from './gqa.ts'
import { grounding } from './grounding.ts'
import { imagenet } from './imagenet.ts'
import { ocrvqa } from './ocrvqa.ts'
import { scienceqa } from './scienceqa.ts'
import { textvqa } from './textvqa.ts'
import { vizwiz } from './vizwiz.ts'
import { vqav2 } from './vqav2.ts'

/** One sample generator per task; the record keeps the compiler checking that none is missing. */
export const GENERATORS: Record<CoinTaskId, SampleGenerator> = {
  scienceqa,
  textvqa,
  imagenet,
  gqa,
  vizwiz,
  grounding,
  vqav2,
  ocrvqa,
}
