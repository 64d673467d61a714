/**
 * What a key was computed from, as stat signatures: the up-to-date stamp (plan/up-to-date.ts)
 * records them so that a later no-op can tell, by stat alone, that no key can have changed.
 *
 * Each signature starts with its kind, because what must stay equal differs: an input file must
 * keep the stat the stat cache paired with its digest (device, inode, size, mtime, ctime); a folder
 * read as an input or the materialised output folder its inode and mtime (a file added or removed
 * changes it); an output file its inode, size and mtime (not ctime: hard-linking the same object
 * for another target changes it); a published copy its size and mtime.
 */
import type { Stats } from 'node:fs'

/** Path → signature. `undefined` as a whole: this key read something stat cannot vouch for (a glob). */
export type Watch = Map<string, string>

/** A path that must still not exist (a command word that names no file yet). */
export const ABSENT = 'x'

export const inputFileSig = (st: Stats) => `i:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`
export const dirSig = (st: Pick<Stats, 'ino' | 'mtimeMs'>) => `d:${st.ino}:${st.mtimeMs}`
export const outputFileSig = (st: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>) =>
  `o:${st.ino}:${st.size}:${st.mtimeMs}`
export const publishedSig = (st: Pick<Stats, 'size' | 'mtimeMs'>) => `p:${st.size}:${st.mtimeMs}`
