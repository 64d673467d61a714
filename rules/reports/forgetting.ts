import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from '../../src/errors.ts'
import { renderCsv } from './csv.ts'
import { renderHtml } from './html.ts'
import { renderLatex } from './latex.ts'
import { renderMarkdown } from './markdown.ts'
import type { ForgettingData } from './report-data.ts'
import { loadAllRuns, loadForgettingData } from './report-data.ts'
import { renderSvg } from './svg.ts'

export type ReportFormat = 'md' | 'csv' | 'tex' | 'svg' | 'html'
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'tex', 'svg', 'html']

export interface ForgettingReportOptions {
  formats: ReportFormat[]
}

const RENDERERS: Record<Exclude<ReportFormat, 'html'>, (data: ForgettingData) => string | Promise<string>> = {
  md: renderMarkdown,
  csv: renderCsv,
  tex: renderLatex,
  svg: renderSvg,
}

/**
 * Reads the results database (read-only) and writes `forgetting.<format>` into `outDir` for each
 * requested format. Returns the written paths in REPORT_FORMATS order. Each file is written to a
 * temporary name and renamed, so a reader never sees half a report.
 */
export async function renderForgettingReport(
  dbPath: string,
  outDir: string,
  options: ForgettingReportOptions,
): Promise<string[]> {
  for (const format of options.formats) {
    if (!REPORT_FORMATS.includes(format)) {
      throw new UserError({
        message: `unknown report format '${format}'`,
        key: 'formats',
        fix: `use any of ${REPORT_FORMATS.join(', ')}`,
      })
    }
  }
  const data = await loadForgettingData(dbPath)
  mkdirSync(outDir, { recursive: true })
  const written: string[] = []
  for (const format of REPORT_FORMATS) {
    if (!options.formats.includes(format)) continue
    const path = join(outDir, `forgetting.${format}`)
    const temporary = `${path}.${process.pid}.tmp`
    // The HTML report offers every run, the other formats show the latest.
    const text = format === 'html' ? renderHtml(await loadAllRuns(dbPath)) : await RENDERERS[format](data)
    writeFileSync(temporary, text)
    renameSync(temporary, path)
    written.push(path)
  }
  return written
}
