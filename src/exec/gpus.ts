/** The GPU id pool: `--gpus 0,1,2,3`, else CUDA_VISIBLE_DEVICES, else what nvidia-smi lists, else none. */
import { execFileSync } from 'node:child_process'

export function detectGpus(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (flag !== undefined)
    return flag
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  if (env.CUDA_VISIBLE_DEVICES !== undefined) return env.CUDA_VISIBLE_DEVICES.split(',').filter(Boolean)
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=index', '--format=csv,noheader'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
    return out
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
  } catch {
    return []
  }
}
