/**
 * The accuracy matrix and the continual-learning metrics, as SQL views over `scores` and
 * `experiments`. The same SQL runs on the results database and on the in-memory database that
 * `metricsFromCsv` builds, so `coin metrics --from x.csv` and a report can never disagree.
 *
 * Notation (DOMAIN.md §4): R[i][j] = accuracy on task j (1-based position in the experiment's
 * order) after training stage i; T = number of tasks; row i = 0 is the zero-shot model.
 *
 *   ACC         = (1/T)   Σ_{j=1..T}   R[T][j]                      needs all of row T
 *   BWT  (GEM)  = (1/(T−1)) Σ_{j=1..T−1} (R[T][j] − R[j][j])        needs row T and the diagonal
 *   BWT (TRACE) = the same sum divided by T (TRACE averages over i ≤ T, whose i = T term is 0;
 *                 reported separately because papers differ on exactly this denominator)
 *   FWT  (GEM)  = (1/(T−1)) Σ_{j=2..T}   (R[j−1][j] − b_j)           needs the cells just above
 *                 the diagonal and the zero-shot row b_j = R[0][j]
 *   forgetting  = (1/(T−1)) Σ_{j=1..T−1} (max_{l=j..T−1} R[l][j] − R[T][j])   Chaudhry et al. F_T;
 *                 needs the whole lower triangle. The max runs over the stages since task j was
 *                 learned (l ≥ j), as lower-triangular implementations (mammoth) do; cells above the
 *                 diagonal are ignored even when present, so the value does not depend on whether
 *                 the upper triangle happened to be evaluated.
 *   MAA  (SEFE) = (1/T) Σ_{j=1..T} (1/j) Σ_{i=1..j} R[j][i]            needs the whole lower triangle
 *
 * A metric is NULL unless every cell it needs is present: each term set is counted and compared
 * with the number of terms the formula has, so a partial sum can never pass for a metric.
 * BWT, FWT and forgetting are NULL for T = 1 (no earlier task). Multitask (joint training)
 * experiments store one row at stage T: they get ACC only. Zero-shot experiments store row 0:
 * ACC is its mean. Only the 'accuracy' metric feeds the matrix.
 *
 * Every view exists twice: `run_<name>` with a `run_id` column over every recorded run, and
 * `<name>` (no run_id) for the latest run, which is what reports and most queries want.
 */
/** The views that also exist for the latest run only, without the run_id column. */
export const LATEST_RUN_VIEWS = [
  'scores',
  'experiments',
  'experiment_info',
  'matrix',
  'metrics',
  'task_drop',
  'timings',
  'relative_gain',
] as const

export const VIEWS_SQL = `
CREATE OR REPLACE VIEW latest_run AS
SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1;

-- Cells of every run with their values (shared between runs by the score target's key).
CREATE OR REPLACE VIEW run_scores AS
SELECT c.run_id, c.experiment, c.method, c.order_name, c.stage, c.stage_task, c.eval_task, c.metric,
       v.value, v.n, v.parse_failures, c.key, v.checkpoint
FROM cells AS c JOIN score_values AS v USING (key, metric);

CREATE OR REPLACE VIEW run_experiment_info AS
SELECT run_id, experiment, method, order_name, tasks, n_tasks, kind FROM run_experiments;

-- R[stage][eval_task], one row per cell (a run stores each cell once; record.ts checks it).
CREATE OR REPLACE VIEW run_matrix AS
SELECT s.run_id, s.experiment, s.stage, s.stage_task, s.eval_task,
       list_position(e.tasks, s.eval_task)::INTEGER AS eval_index,
       s.value
FROM run_scores AS s
LEFT JOIN run_experiment_info AS e USING (run_id, experiment)
WHERE s.metric = 'accuracy';

CREATE OR REPLACE VIEW run_metrics AS
WITH
info AS (
  SELECT run_id, experiment, method, order_name, kind, n_tasks AS t FROM run_experiment_info
),
-- Known cells inside the (T+1)×T matrix: r(run, experiment, i, j, v).
r AS (
  SELECT m.run_id, m.experiment, m.stage AS i, m.eval_index AS j, m.value AS v
  FROM run_matrix AS m JOIN info USING (run_id, experiment)
  WHERE m.value IS NOT NULL AND m.eval_index BETWEEN 1 AND info.t AND m.stage BETWEEN 0 AND info.t
),
final_row AS (
  SELECT r.run_id, r.experiment, count(*) AS n, avg(r.v) AS mean
  FROM r JOIN info USING (run_id, experiment) WHERE r.i = info.t GROUP BY r.run_id, r.experiment
),
zero_row AS (
  SELECT run_id, experiment, count(*) AS n, avg(v) AS mean FROM r WHERE i = 0 GROUP BY run_id, experiment
),
-- R[T][j] − R[j][j] for j < T.
bwt_terms AS (
  SELECT f.run_id, f.experiment, count(*) AS n, sum(f.v - d.v) AS total
  FROM r AS f
  JOIN info USING (run_id, experiment)
  JOIN r AS d ON d.run_id = f.run_id AND d.experiment = f.experiment AND d.j = f.j AND d.i = d.j
  WHERE f.i = info.t AND f.j < info.t
  GROUP BY f.run_id, f.experiment
),
-- R[j−1][j] − b_j for j ≥ 2.
fwt_terms AS (
  SELECT u.run_id, u.experiment, count(*) AS n, sum(u.v - b.v) AS total
  FROM r AS u
  JOIN r AS b ON b.run_id = u.run_id AND b.experiment = u.experiment AND b.j = u.j AND b.i = 0
  WHERE u.j >= 2 AND u.i = u.j - 1
  GROUP BY u.run_id, u.experiment
),
-- Per task j < T: the best accuracy over stages j..T−1, and how many of those T−j cells exist.
history AS (
  SELECT r.run_id, r.experiment, r.j, count(*) AS n, max(r.v) AS best
  FROM r JOIN info USING (run_id, experiment)
  WHERE r.j < info.t AND r.i BETWEEN r.j AND info.t - 1
  GROUP BY r.run_id, r.experiment, r.j
),
forgetting_terms AS (
  SELECT h.run_id, h.experiment, count(*) AS n, sum(h.best - f.v) AS total
  FROM history AS h
  JOIN info USING (run_id, experiment)
  JOIN r AS f ON f.run_id = h.run_id AND f.experiment = h.experiment AND f.j = h.j AND f.i = info.t
  WHERE h.n = info.t - h.j
  GROUP BY h.run_id, h.experiment
),
-- A_i = mean_{j ≤ i} R[i][j], for rows i ≥ 1 that have all i cells.
stage_means AS (
  SELECT run_id, experiment, i, count(*) AS n, avg(v) AS mean
  FROM r WHERE i >= 1 AND j <= i
  GROUP BY run_id, experiment, i
),
maa_terms AS (
  SELECT run_id, experiment, count(*) AS n, avg(mean) AS total
  FROM stage_means WHERE n = i GROUP BY run_id, experiment
)
SELECT
  info.run_id, info.experiment, info.method, info.order_name, info.kind, info.t AS n_tasks,
  CASE
    WHEN info.kind = 'zeroshot' THEN CASE WHEN z.n = info.t THEN z.mean END
    WHEN f.n = info.t THEN f.mean
  END AS acc,
  CASE WHEN info.kind = 'sequential' AND info.t >= 2 AND bw.n = info.t - 1
       THEN bw.total / (info.t - 1) END AS bwt,
  CASE WHEN info.kind = 'sequential' AND info.t >= 2 AND bw.n = info.t - 1
       THEN bw.total / info.t END AS bwt_trace,
  CASE WHEN info.kind = 'sequential' AND info.t >= 2 AND fw.n = info.t - 1
       THEN fw.total / (info.t - 1) END AS fwt,
  CASE WHEN info.kind = 'sequential' AND info.t >= 2 AND fg.n = info.t - 1
       THEN fg.total / (info.t - 1) END AS forgetting,
  CASE WHEN info.kind = 'sequential' AND ma.n = info.t THEN ma.total END AS maa
FROM info
LEFT JOIN final_row AS f USING (run_id, experiment)
LEFT JOIN zero_row AS z USING (run_id, experiment)
LEFT JOIN bwt_terms AS bw USING (run_id, experiment)
LEFT JOIN fwt_terms AS fw USING (run_id, experiment)
LEFT JOIN forgetting_terms AS fg USING (run_id, experiment)
LEFT JOIN maa_terms AS ma USING (run_id, experiment);

-- Per task of a sequential experiment: accuracy right after learning it, at the end, and the drop.
CREATE OR REPLACE VIEW run_task_drop AS
WITH task_list AS (
  SELECT run_id, experiment, n_tasks, tasks, unnest(range(1, n_tasks + 1))::INTEGER AS j
  FROM run_experiment_info WHERE kind = 'sequential'
)
SELECT tl.run_id, tl.experiment, tl.j AS task_index, tl.tasks[tl.j] AS task,
       own.value AS own_acc, fin.value AS final_acc, own.value - fin.value AS acc_drop
FROM task_list AS tl
LEFT JOIN run_matrix AS own
  ON own.run_id = tl.run_id AND own.experiment = tl.experiment AND own.eval_index = tl.j AND own.stage = tl.j
LEFT JOIN run_matrix AS fin
  ON fin.run_id = tl.run_id AND fin.experiment = tl.experiment AND fin.eval_index = tl.j AND fin.stage = tl.n_tasks;

-- InsCL's Relative Gain per run: 100 · (1/T) Σ_j R[T][j] / R[j][j], NULL if a cell is missing or
-- a diagonal cell is 0 (the definition, and its caveats, come with the replay work).
CREATE OR REPLACE VIEW run_relative_gain AS
WITH info AS (
  SELECT run_id, experiment, n_tasks AS t FROM run_experiment_info WHERE kind = 'sequential'
),
terms AS (
  SELECT f.run_id, f.experiment, count(*) AS n, avg(f.value / d.value) AS mean
  FROM run_matrix AS f
  JOIN info USING (run_id, experiment)
  JOIN run_matrix AS d
    ON d.run_id = f.run_id AND d.experiment = f.experiment AND d.eval_index = f.eval_index AND d.stage = d.eval_index
  WHERE f.stage = info.t AND f.value IS NOT NULL AND d.value > 0
  GROUP BY f.run_id, f.experiment
)
SELECT info.run_id, info.experiment, CASE WHEN terms.n = info.t THEN 100 * terms.mean END AS relative_gain
FROM info LEFT JOIN terms USING (run_id, experiment);

-- Per target of each run: its action record (when and where it was built, how long it took).
CREATE OR REPLACE VIEW run_timings AS
SELECT t.run_id, t.target, t.outcome, a.key, a.rule, a.started_at, a.finished_at, a.duration_ms,
       a.executor, a.host
FROM run_targets AS t LEFT JOIN actions AS a USING (key);

${LATEST_RUN_VIEWS.map(
  (name) =>
    `CREATE OR REPLACE VIEW ${name} AS SELECT * EXCLUDE (run_id) FROM run_${name} WHERE run_id = (SELECT run_id FROM latest_run);`,
).join('\n')}
`
