/**
 * Parsers for the build's numeric and list options. A bad value is a usage error (exit 2) that
 * names the option and says what it wants, before anything is loaded or run.
 */
import { InvalidArgumentError } from './commander.ts'

/** `-j N`: a whole number of CPU slots, 1 or more. */
export function parseJobs(value: string): string {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 4096)
    throw new InvalidArgumentError('-j/--jobs wants a whole number of CPU slots from 1 to 4096, e.g. -j 4.')
  return String(Number(value))
}

/** `--mem GB`: a non-negative number of gigabytes. */
export function parseMem(value: string): string {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('--mem wants a number of gigabytes, e.g. --mem 64.')
  return String(n)
}

/**
 * `--gpus 0,1` (or GPU/MIG UUIDs, as CUDA_VISIBLE_DEVICES takes them); `--gpus ''` means none.
 * Each id is handed out to one job at a time, so a repeated id is a mistake.
 */
export function parseGpus(value: string): string {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const bad = ids.find((id) => !/^\d+$/.test(id) && !/^(GPU|MIG)-[A-Za-z0-9/-]+$/.test(id))
  if (bad !== undefined)
    throw new InvalidArgumentError(
      `"${bad}" is not a GPU id. --gpus wants device numbers or UUIDs separated by commas, e.g. --gpus 0,1.`,
    )
  const dup = ids.find((id, i) => ids.indexOf(id) !== i)
  if (dup !== undefined) throw new InvalidArgumentError(`GPU ${dup} is listed twice.`)
  return ids.join(',')
}
