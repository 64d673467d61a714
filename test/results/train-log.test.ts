import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UserError } from '../../src/errors.ts'
import { parseTrainerState, queryResults, readTrainLog, recordRun } from '../../src/results/index.ts'
import { experiment, FULL, TASKS, tempDir } from './matrix-fixture.ts'

test("Hugging Face's trainer_state.json: steps with a loss, learning_rate as lr, eval entries skipped", () => {
  const text = JSON.stringify({
    global_step: 20,
    log_history: [
      { epoch: 0.5, learning_rate: 0.0002, loss: 2.5, step: 10 },
      { epoch: 0.5, eval_loss: 2.1, step: 10 },
      { epoch: 1, learning_rate: 0.0001, loss: 1.75, step: 20 },
      { epoch: 1, step: 20, train_loss: 2.1, train_runtime: 3.2 },
    ],
  })
  assert.equal(parseTrainerState(text, 'x'), [
    { step: 10, loss: 2.5, lr: 0.0002, epoch: 0.5 },
    { step: 20, loss: 1.75, lr: 0.0001, epoch: 1 },
  ])
})

test("coin's learners write { step, loss, lr } entries; the rows carry the target's key", () => {
  const dir = tempDir('coin-trainlog-')
  writeFileSync(
    join(dir, 'trainer_state.json'),
    JSON.stringify({
      log_history: [
        { step: 25, loss: 3, lr: 0.01 },
        { step: 50, loss: 2, lr: 0.01 },
      ],
    }),
  )
  assert.equal(readTrainLog(dir, 'k1', 'train/a'), [
    { key: 'k1', target: 'train/a', step: 25, loss: 3, lr: 0.01, epoch: null },
    { key: 'k1', target: 'train/a', step: 50, loss: 2, lr: 0.01, epoch: null },
  ])
  const empty = join(dir, 'none')
  mkdirSync(empty)
  assert.equal(readTrainLog(empty, 'k', 't'), [], 'a target without a log has no rows')
})

test('a malformed log is a UserError naming the file and the entry', () => {
  for (const [text, pattern] of [
    ['{', /not JSON/],
    ['{"steps": []}', /no log_history/],
    ['{"log_history": [{"loss": 1}]}', /log_history\[0\]\.step|entry 0/],
  ] as const) {
    try {
      parseTrainerState(text, '/ckpt/trainer_state.json')
      assert.unreachable(text)
    } catch (error) {
      assert.instance(error, UserError)
      assert.match((error as UserError).message, pattern)
      assert.is((error as UserError).diagnostic.file, '/ckpt/trainer_state.json')
    }
  }
})

test('train_log is stored once per key and queryable with the run that used it', async () => {
  const db = join(tempDir(), 'coin.duckdb')
  const log = [1, 2, 3].map((step) => ({
    key: 'kt',
    target: 'train/a',
    step,
    loss: 1 / step,
    lr: 0.01,
    epoch: null,
  }))
  const data = {
    ...experiment('lora', 'sequential', TASKS, FULL),
    train_log: log,
    run_targets: [{ target: 'train/a', key: 'kt', outcome: 'ran' }],
  }
  assert.is((await recordRun(db, data)).new_train_logs, 1)
  assert.is((await recordRun(db, data)).new_train_logs, 0)
  assert.equal(await queryResults(db, 'SELECT count(*) AS n FROM train_log'), [{ n: 3 }])
  assert.equal(
    await queryResults(
      db,
      'SELECT t.run_id, max(l.step) AS steps, min(l.loss) AS best FROM train_log AS l JOIN run_targets AS t USING (key) GROUP BY 1 ORDER BY 1',
    ),
    [
      { run_id: 'r1', steps: 3, best: 1 / 3 },
      { run_id: 'r2', steps: 3, best: 1 / 3 },
    ],
  )
})

test.run()
