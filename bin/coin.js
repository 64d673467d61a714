#!/usr/bin/env node
// Entry point: coin runs as prebuilt JavaScript (dist/, written by `npm run build`, which `npm ci`
// runs through `prepare`). TypeScript is compiled only for the Coinfile, when it is loaded.
import { existsSync } from 'node:fs'

const main = new URL('../dist/src/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write(
    'coin is not built: run `npm run build` in its package directory (npm ci does it too)\n',
  )
  process.exit(70)
}
await import(main.href)
