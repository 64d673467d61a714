/** Temp files and error assertions shared by the dataset tests. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as assert from 'uvu/assert'
import { UserError } from '../../src/errors.ts'
import { tempDir as newTempDir } from '../helpers/temp.ts'

export async function tempDir(): Promise<string> {
  return newTempDir('coin-datasets-')
}

/** Writes `content` (a string as is, anything else as JSON) to a new temp dir; returns the path. */
export async function writeTemp(name: string, content: unknown): Promise<string> {
  const file = join(await tempDir(), name)
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  return file
}

/** Awaits a promise that must reject with a UserError, and returns that error. */
export async function userError(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise
  } catch (e) {
    if (e instanceof UserError) return e
    throw e
  }
  assert.unreachable('expected a UserError, but the promise resolved')
  throw new Error('unreachable')
}

/** The diagnostic names the file, the record, the JSON pointer, and says how to fix it. */
export function assertNamesRecord(err: UserError, file: string, index: number, pointer: string): void {
  const { message, fix } = err.diagnostic
  assert.ok(message.includes(file), `message should name ${file}:\n${message}`)
  assert.ok(message.includes(`record ${index}`), `message should name record ${index}:\n${message}`)
  assert.ok(message.includes(` at ${pointer}:`), `message should point at ${pointer}:\n${message}`)
  assert.ok(message.includes('expected '), `message should say what was expected:\n${message}`)
  assert.ok(fix !== undefined && fix.length > 20, 'diagnostic should carry a fix line')
}
