/** Report rules: pure-ish functions from the results database to files. */
export { REPORT_CSV_HEADER, renderCsv } from './csv.ts'
export type { ForgettingReportOptions, ReportFormat } from './forgetting.ts'
export { REPORT_FORMATS, renderForgettingReport } from './forgetting.ts'
export { escapeLatex, renderLatex } from './latex.ts'
export { renderMarkdown } from './markdown.ts'
export type { ForgettingData, MatrixRow, ReportExperiment } from './report-data.ts'
export { loadForgettingData } from './report-data.ts'
export { forgettingChartSpec, renderSvg } from './svg.ts'
