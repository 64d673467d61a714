/**
 * Real headless Chromium for browser tests: Debian's `chromium` driven by playwright-core, started
 * the way this workplace's machines need (shared/ENVIRONMENT.md §6): no sandbox, no GPU, and no
 * background networking (without those flags Chromium floods the closed network). Playwright gives
 * every launch a fresh profile directory.
 */
import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

export const CHROMIUM = process.env.COIN_CHROMIUM ?? '/usr/bin/chromium'

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Whether a browser test may run. CI (`.ci/run` sets COIN_REQUIRE_BROWSER=1, after installing
 * Chromium) must not skip it: a missing browser there is a failure, not a skip.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env.COIN_REQUIRE_BROWSER === '1' || process.env.CI) {
    throw new Error(
      `Chromium is required here but ${CHROMIUM} does not exist: apt-get install -y --no-install-recommends chromium`,
    )
  }
  console.warn(`skipping browser tests: no ${CHROMIUM} (apt-get install chromium)`)
  return false
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 })
}
