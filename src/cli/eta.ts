/**
 * Time left for a target that reports step/total progress: the rate since its first reported step
 * (so model loading before step 1 does not count), extrapolated to the remaining steps.
 */
export interface StepMark {
  at: number
  step: number
}

export function etaMs(first: StepMark, now: number, step: number, total: number): number | undefined {
  if (step <= first.step || total <= step || now <= first.at) return undefined
  return Math.round(((now - first.at) / (step - first.step)) * (total - step))
}

export function fmtEta(ms: number): string {
  const s = Math.ceil(ms / 1000)
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
