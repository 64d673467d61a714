import type { MetricRow } from '../../src/results/index.ts'
import type { MatrixRow } from './report-data.ts'

/** The metric columns every format shows, in this order, with the SQL column each comes from. */
export const METRIC_COLUMNS: readonly { key: keyof MetricRow & string; title: string; meaning: string }[] = [
  { key: 'acc', title: 'ACC', meaning: 'mean accuracy after the last stage, (1/T) Σ_j R[T][j]' },
  { key: 'bwt', title: 'BWT', meaning: 'GEM backward transfer, (1/(T−1)) Σ_{j<T} (R[T][j] − R[j][j])' },
  { key: 'bwt_trace', title: 'BWT/T', meaning: 'the same sum divided by T, as TRACE reports it' },
  { key: 'fwt', title: 'FWT', meaning: 'GEM forward transfer, (1/(T−1)) Σ_{j≥2} (R[j−1][j] − R[0][j])' },
  {
    key: 'forgetting',
    title: 'Forgetting',
    meaning:
      'Chaudhry average forgetting after the last stage, (1/(T−1)) Σ_{j<T} (max_{j≤l<T} R[l][j] − R[T][j])',
  },
  { key: 'maa', title: 'MAA', meaning: 'mean average accuracy (SEFE), (1/T) Σ_k mean_{j≤k} R[k][j]' },
]

/** "3 · imagenet": the stage number and what it trained. */
export function stageLabel(row: MatrixRow): string {
  return `${row.stage} · ${row.stage_task === 'zeroshot' ? 'zero-shot' : row.stage_task}`
}
