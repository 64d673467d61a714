import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { metricsCommand } from '../../src/cli/commands/metrics.ts'
import { UserError } from '../../src/errors.ts'
import type { MetricRow } from '../../src/results/index.ts'
import { metricsFromCsv, resultsFromCsv } from '../../src/results/index.ts'
import { FULL, JOINT, TASKS, tempDir } from './matrix-fixture.ts'

/** CoIN, LLaVA-1.5-7B + LoRA (DOMAIN.md §1.9): the diagonal ("after own task") and the final row. */
const LLAVA = fileURLToPath(new URL('../fixtures/results/coin-llava-lora.csv', import.meta.url))

function csvFile(text: string): string {
  const path = join(tempDir('coin-csv-'), 'scores.csv')
  writeFileSync(path, text)
  return path
}

/** FULL and JOINT from the shared fixture, written as the long CSV a user would hand in. */
function fixtureCsv(): string {
  const lines = ['method,stage,stage_task,eval_task,value']
  for (const [stage, row] of Object.entries(FULL)) {
    row.forEach((value, j) => {
      const stageTask = stage === '0' ? 'zeroshot' : TASKS[Number(stage) - 1]
      lines.push(`lora,${stage},${stageTask},${TASKS[j]},${value}`)
    })
  }
  JOINT[3]?.forEach((value, j) => {
    lines.push(`joint,3,multitask,${TASKS[j]},${value}`)
  })
  TASKS.forEach((task, j) => {
    lines.push(`base,0,,${task},${[30, 20, 10][j]}`)
  })
  return `${lines.join('\n')}\n`
}

async function userError(work: () => Promise<unknown> | unknown): Promise<UserError> {
  try {
    await work()
  } catch (error) {
    assert.instance(error, UserError)
    return error as UserError
  }
  assert.unreachable('expected a UserError')
  throw new Error('unreachable')
}

test('CoIN LLaVA-LoRA diagonal + final row: ACC 28.74, BWT −37.29, the rest NULL', async () => {
  const [m] = await metricsFromCsv(LLAVA)
  assert.ok(m)
  assert.is(m.experiment, 'llava-lora')
  assert.is(m.n_tasks, 8)
  assert.is(m.acc?.toFixed(2), '28.74')
  assert.is(m.bwt?.toFixed(2), '-37.29')
  assert.ok(Math.abs((m.bwt_trace ?? 0) - -261 / 8) < 1e-9, 'TRACE BWT divides the same sum by T')
  // No zero-shot row or upper triangle: no FWT. The lower-triangle interior (e.g. ScienceQA
  // after TextVQA) is missing, so the max in Chaudhry forgetting and the stage means of MAA
  // cannot be taken: NULL, not a number from the cells that happen to exist.
  assert.is(m.fwt, null)
  assert.is(m.forgetting, null)
  assert.is(m.maa, null)
})

test('the LLaVA order is read off stage_task, and OCR-VQA own = final is one cell', () => {
  const data = resultsFromCsv(LLAVA)
  assert.equal(data.experiments[0]?.tasks, [
    'ScienceQA',
    'TextVQA',
    'ImageNet',
    'GQA',
    'VizWiz',
    'Grounding',
    'VQAv2',
    'OCRVQA',
  ])
  assert.is(data.scores.length, 15)
})

test('a full CSV gives the same metrics as ingesting the same matrix', async () => {
  const rows = await metricsFromCsv(csvFile(fixtureCsv()))
  const byName = Object.fromEntries(rows.map((row) => [row.experiment, row])) as Record<string, MetricRow>
  assert.equal(
    rows.map((row) => row.experiment),
    ['base', 'joint', 'lora'],
  )
  assert.equal(byName.lora, {
    experiment: 'lora',
    method: 'lora',
    order_name: 'default',
    kind: 'sequential',
    n_tasks: 3,
    acc: 60,
    bwt: -30,
    bwt_trace: -20,
    fwt: 30,
    forgetting: 32.5,
    maa: 72.5,
  })
  assert.is(byName.joint?.kind, 'multitask')
  assert.ok(Math.abs((byName.joint?.acc ?? 0) - 191 / 3) < 1e-9)
  assert.is(byName.joint?.bwt, null)
  assert.is(byName.base?.kind, 'zeroshot')
  assert.is(byName.base?.acc, 20)
})

test('an explicit task order overrides inference and sets T', async () => {
  const path = csvFile('method,stage,stage_task,eval_task,value\nm,1,a,a,80\nm,2,b,a,60\nm,2,b,b,70\n')
  const [inferred] = await metricsFromCsv(path)
  assert.is(inferred?.n_tasks, 2)
  assert.is(inferred?.bwt, -20)
  const [given] = await metricsFromCsv(path, { tasks: ['a', 'b', 'c'] })
  assert.is(given?.n_tasks, 3)
  assert.is(given?.acc, null, 'row 3 was never evaluated')
  const error = await userError(() => metricsFromCsv(path, { tasks: ['b', 'a'] }))
  assert.match(error.message, /stage 1 trains 'b'/)
  assert.is(error.diagnostic.line, 2)
})

test('columns may come in any order, extra columns are ignored, quotes and CRLF are fine', async () => {
  const path = csvFile(
    'note,value,eval_task,stage_task,stage,method\r\n"x, y",80,a,a,1,m\r\n,90,b,b,2,m\r\n"",70,a,b,2,m\r\n',
  )
  const [m] = await metricsFromCsv(path)
  assert.is(m?.acc, 80)
  assert.is(m?.bwt, -10)
})

test('bad CSVs name the file, the line and the column', async () => {
  const header = 'method,stage,stage_task,eval_task,value'
  const cases: [string, string, number, RegExp, string?][] = [
    ['method,stage,stage_task,eval_task\nm,1,a,a\n', 'missing column', 1, /missing column 'value'/, 'value'],
    [
      `${header}\nm,1,a,a,80\nm,2,b,b,abc\n`,
      'non-numeric value',
      3,
      /column 'value' \(column 5\): 'abc' is not a number/,
      'value',
    ],
    [`${header}\nm,1,a,a,0x10\n`, 'hex is not a number here', 2, /'0x10' is not a number/, 'value'],
    [`${header}\nm,1,a,a,\n`, 'empty value', 2, /'' is not a number/, 'value'],
    [`${header}\nm,1,a,a,101\n`, 'out of range', 2, /outside 0\.\.100/, 'value'],
    [`${header}\nm,1.5,a,a,80\n`, 'fractional stage', 2, /column 'stage' \(column 2\)/, 'stage'],
    [`${header}\nm,1,a,a,80\nm,1,a\n`, 'short line', 3, /expected 5 fields/],
    [`${header}\nm,1,a,a,80\nm,1,a,a,81\n`, 'duplicate cell', 3, /already given on line 2/],
    [
      `${header}\nm,1,a,a,80\nm,1,b,b,81\n`,
      'two tasks for one stage',
      3,
      /stage 1 of 'm' trains 'a' on line 2/,
    ],
    [`${header}\nm,1,a,a,"80\n`, 'unclosed quote', 2, /never closed/],
    [`${header}\nm,1,,a,80\n`, 'empty stage_task after stage 0', 2, /stage_task/, 'stage_task'],
    [`${header}\nm,3,multitask,a,80\nm,3,c,b,70\n`, 'mixed multitask', 3, /mixes multitask rows/],
  ]
  for (const [text, name, line, pattern, column] of cases) {
    const path = csvFile(text)
    const error = await userError(() => metricsFromCsv(path))
    assert.is(error.diagnostic.file, path, `${name}: file`)
    assert.is(error.diagnostic.line, line, `${name}: line`)
    assert.match(error.message, pattern, name)
    if (column) assert.is(error.diagnostic.key, column, `${name}: column`)
  }
})

test('an order that cannot be inferred asks for --tasks', async () => {
  const path = csvFile('method,stage,stage_task,eval_task,value\nm,2,b,a,60\nm,2,b,b,70\n')
  const error = await userError(() => metricsFromCsv(path))
  assert.match(error.message, /no row for stage 1/)
  assert.match(error.diagnostic.fix ?? '', /--tasks/)
})

test('a missing file is a UserError naming it', async () => {
  const error = await userError(() => metricsFromCsv('/nonexistent/scores.csv'))
  assert.is(error.diagnostic.file, '/nonexistent/scores.csv')
  assert.match(error.message, /ENOENT/)
})

test('`coin metrics --from`: a table with 2 decimals and – for NULL, or JSON lines', async () => {
  const table = await metricsCommand({ from: LLAVA })
  const [header, rule, row] = table.split('\n')
  assert.match(header ?? '', /^method\s+kind\s+T\s+ACC\s+BWT\s+BWT\/T\s+FWT\s+Forgetting\s+MAA$/)
  assert.match(rule ?? '', /^-+( +-+)+$/)
  assert.match(row ?? '', /^llava-lora\s+sequential\s+8\s+28\.74\s+-37\.29\s+-32\.63\s+–\s+–\s+–$/)
  const json = await metricsCommand({ from: LLAVA, json: true })
  const lines = json.trimEnd().split('\n')
  assert.is(lines.length, 1)
  const parsed = JSON.parse(lines[0] ?? '') as MetricRow
  assert.is(parsed.acc?.toFixed(2), '28.74')
  assert.is(parsed.fwt, null)
  const withOrder = await metricsCommand({
    from: LLAVA,
    tasks: 'ScienceQA, TextVQA,ImageNet,GQA,VizWiz,Grounding,VQAv2,OCRVQA',
  })
  assert.match(withOrder, /28\.74/)
  await userError(() => metricsCommand({ from: LLAVA, tasks: 'a,,b' }))
})

test.run()
