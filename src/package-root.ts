/**
 * coin's package folder (where package.json and bin/coin.js are), whether this module runs from
 * the TypeScript sources (src/) or from the build (dist/src/).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const packageRoot: string =
  ['..', '../..']
    .map((up) => fileURLToPath(new URL(`${up}/`, import.meta.url)))
    .find((dir) => existsSync(`${dir}bin/coin.js`)) ?? fileURLToPath(new URL('../', import.meta.url))
