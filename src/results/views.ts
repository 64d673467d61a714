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
 *   RG (InsCL)  = 100 · (1/T) Σ_{j=1..T} R[T][j] / R[j][j]                view relative_gain;
 *                 needs row T and the diagonal, and every R[j][j] > 0. InsCL (Wang et al., NAACL
 *                 2024, arXiv 2403.11435) reports "Relative Gain" without its formula in the code
 *                 (OPPO-Mente-Lab/InsCL); this is the per-task score normalised by a per-task upper
 *                 bound, as in Scialom et al. 2022 (arXiv 2205.12393), with the accuracy right after
 *                 learning the task as that bound. UNVERIFIED against the paper's text.
 *
 * A metric is NULL unless every cell it needs is present: each term set is counted and compared
 * with the number of terms the formula has, so a partial sum can never pass for a metric.
 * BWT, FWT and forgetting are NULL for T = 1 (no earlier task). Multitask (joint training)
 * experiments store one row at stage T: they get ACC only. Zero-shot experiments store row 0:
 * ACC is its mean. Only the 'accuracy' metric feeds the matrix.
 */
export const VIEWS_SQL = `
-- One row per experiment even if several sources ingested it (first source wins, by name).
CREATE OR REPLACE VIEW experiment_info AS
SELECT experiment, method, order_name, tasks, n_tasks, kind
FROM experiments
QUALIFY row_number() OVER (PARTITION BY experiment ORDER BY source) = 1;

-- R[stage][eval_task], one row per cell. If two sources stored different values (or stage
-- tasks) for the same cell, the value is NULL: a visible gap beats a silently averaged number.
CREATE OR REPLACE VIEW matrix AS
WITH cells AS (
  SELECT experiment, stage, eval_task,
         min(stage_task) AS stage_task,
         CASE WHEN min(value) = max(value) AND min(stage_task) = max(stage_task)
              THEN min(value) END AS value
  FROM scores
  WHERE metric = 'accuracy'
  GROUP BY experiment, stage, eval_task
)
SELECT c.experiment, c.stage, c.stage_task, c.eval_task,
       list_position(e.tasks, c.eval_task)::INTEGER AS eval_index,
       c.value
FROM cells AS c
LEFT JOIN experiment_info AS e USING (experiment);

CREATE OR REPLACE VIEW metrics AS
WITH
info AS (
  SELECT experiment, method, order_name, kind, n_tasks AS t FROM experiment_info
),
-- Known cells inside the (T+1)×T matrix: r(experiment, i, j, v).
r AS (
  SELECT m.experiment, m.stage AS i, m.eval_index AS j, m.value AS v
  FROM matrix AS m JOIN info USING (experiment)
  WHERE m.value IS NOT NULL AND m.eval_index BETWEEN 1 AND info.t AND m.stage BETWEEN 0 AND info.t
),
final_row AS (
  SELECT r.experiment, count(*) AS n, avg(r.v) AS mean
  FROM r JOIN info USING (experiment) WHERE r.i = info.t GROUP BY r.experiment
),
zero_row AS (
  SELECT experiment, count(*) AS n, avg(v) AS mean FROM r WHERE i = 0 GROUP BY experiment
),
-- R[T][j] − R[j][j] for j < T.
bwt_terms AS (
  SELECT f.experiment, count(*) AS n, sum(f.v - d.v) AS total
  FROM r AS f
  JOIN info USING (experiment)
  JOIN r AS d ON d.experiment = f.experiment AND d.j = f.j AND d.i = d.j
  WHERE f.i = info.t AND f.j < info.t
  GROUP BY f.experiment
),
-- R[j−1][j] − b_j for j ≥ 2.
fwt_terms AS (
  SELECT u.experiment, count(*) AS n, sum(u.v - b.v) AS total
  FROM r AS u
  JOIN r AS b ON b.experiment = u.experiment AND b.j = u.j AND b.i = 0
  WHERE u.j >= 2 AND u.i = u.j - 1
  GROUP BY u.experiment
),
-- Per task j < T: the best accuracy over stages j..T−1, and how many of those T−j cells exist.
history AS (
  SELECT r.experiment, r.j, count(*) AS n, max(r.v) AS best
  FROM r JOIN info USING (experiment)
  WHERE r.j < info.t AND r.i BETWEEN r.j AND info.t - 1
  GROUP BY r.experiment, r.j
),
forgetting_terms AS (
  SELECT h.experiment, count(*) AS n, sum(h.best - f.v) AS total
  FROM history AS h
  JOIN info USING (experiment)
  JOIN r AS f ON f.experiment = h.experiment AND f.j = h.j AND f.i = info.t
  WHERE h.n = info.t - h.j
  GROUP BY h.experiment
),
-- A_i = mean_{j ≤ i} R[i][j], for rows i ≥ 1 that have all i cells.
stage_means AS (
  SELECT experiment, i, count(*) AS n, avg(v) AS mean
  FROM r WHERE i >= 1 AND j <= i
  GROUP BY experiment, i
),
maa_terms AS (
  SELECT experiment, count(*) AS n, avg(mean) AS total FROM stage_means WHERE n = i GROUP BY experiment
)
SELECT
  info.experiment, info.method, info.order_name, info.kind, info.t AS n_tasks,
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
LEFT JOIN final_row AS f USING (experiment)
LEFT JOIN zero_row AS z USING (experiment)
LEFT JOIN bwt_terms AS bw USING (experiment)
LEFT JOIN fwt_terms AS fw USING (experiment)
LEFT JOIN forgetting_terms AS fg USING (experiment)
LEFT JOIN maa_terms AS ma USING (experiment);

-- Per task of a sequential experiment: accuracy right after learning it, at the end, and the drop.
CREATE OR REPLACE VIEW task_drop AS
WITH task_list AS (
  SELECT experiment, n_tasks, tasks, unnest(range(1, n_tasks + 1))::INTEGER AS j
  FROM experiment_info WHERE kind = 'sequential'
)
SELECT tl.experiment, tl.j AS task_index, tl.tasks[tl.j] AS task,
       own.value AS own_acc, fin.value AS final_acc, own.value - fin.value AS acc_drop
FROM task_list AS tl
LEFT JOIN matrix AS own ON own.experiment = tl.experiment AND own.eval_index = tl.j AND own.stage = tl.j
LEFT JOIN matrix AS fin ON fin.experiment = tl.experiment AND fin.eval_index = tl.j AND fin.stage = tl.n_tasks;

-- InsCL's Relative Gain (see the header): final accuracy relative to the accuracy right after
-- learning each task, averaged over tasks, ×100. NULL if a cell is missing or a diagonal cell is 0.
CREATE OR REPLACE VIEW relative_gain AS
WITH info AS (
  SELECT experiment, n_tasks AS t FROM experiment_info WHERE kind = 'sequential'
),
terms AS (
  SELECT f.experiment, count(*) AS n, avg(f.value / d.value) AS mean
  FROM matrix AS f
  JOIN info USING (experiment)
  JOIN matrix AS d ON d.experiment = f.experiment AND d.eval_index = f.eval_index AND d.stage = d.eval_index
  WHERE f.stage = info.t AND f.value IS NOT NULL AND d.value > 0
  GROUP BY f.experiment
)
SELECT info.experiment, CASE WHEN terms.n = info.t THEN 100 * terms.mean END AS relative_gain
FROM info LEFT JOIN terms USING (experiment);
`
