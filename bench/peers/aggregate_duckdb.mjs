// The aggregate case in DuckDB SQL, driven from node (bench/README.md).
//
// usage: node aggregate_duckdb.mjs MODEL_DIR OUT.csv THREADS
//
// Reads MODEL_DIR's respondents.csv, questions.csv, options.csv and answers.csv, weights the
// members by employees post-stratified by region, and writes nationally and per region the
// statistics bench/run compares with `mandat aggregate`: the mean of score questions, the
// share_mean of share questions, the proportion of each choice option, and the Borda points,
// top1_share and top3_share of each rank option, as scope,stratum,question,option,statistic,value.
// Run with NODE_PATH naming the node_modules that holds @duckdb/node-api.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.env.NODE_PATH ?? '.', 'x.js'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [model, out, threads] = process.argv.slice(2);
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const file = (name) => q(join(model, name));

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads ?? 2) });
const db = await instance.connect();
const run = (sql) => db.run(sql);
// Tuned as a DuckDB user would: results need no order, so the scans and joins run unordered.
// (A variant that joined the answers file straight into integer keys in one CREATE TABLE was
// slower in interleaved runs: 6–17 s against 3.6–5.2 s at a tenth of the size.)
await run(`SET preserve_insertion_order = false`);

await run(`CREATE TABLE questions AS SELECT id AS question, type
           FROM read_csv(${file('questions.csv')}, all_varchar = true)`);
await run(`CREATE TABLE options AS SELECT question, id AS option, row_number() OVER () AS cell
           FROM read_csv(${file('options.csv')}, all_varchar = true)`);
await run(`CREATE TABLE noptions AS SELECT question, count(*)::DOUBLE AS n FROM options GROUP BY question`);
await run(`CREATE TABLE members AS SELECT id, region, employees::DOUBLE AS e
           FROM read_csv(${file('respondents.csv')}, all_varchar = true)`);
await run(`CREATE TABLE answers AS SELECT * FROM read_csv(${file('answers.csv')}, header = true,
           columns = {'respondent': 'VARCHAR', 'question': 'VARCHAR', 'option': 'VARCHAR',
                      'value': 'DOUBLE'})`);

// Employees post-stratified by region: w_i = e_i T_h / S_h for members that answered.
await run(`CREATE TABLE weights AS
  WITH answered AS (SELECT DISTINCT respondent FROM answers),
  m AS (SELECT members.*, answered.respondent IS NOT NULL AS did
        FROM members LEFT JOIN answered ON answered.respondent = members.id),
  s AS (SELECT region, sum(e) AS total, sum(CASE WHEN did THEN e ELSE 0 END) AS answering
        FROM m GROUP BY region)
  SELECT m.id, m.region, CASE WHEN did THEN m.e * (s.total / s.answering) ELSE 0 END AS w
  FROM m JOIN s USING (region)`);
// Integer keys from here on: the member's row and the option's cell.
await run(`CREATE TABLE members_w AS SELECT row_number() OVER () AS member, * FROM weights`);
await run(`CREATE TABLE cells AS SELECT options.*, questions.type FROM options JOIN questions USING (question)`);
await run(`CREATE TABLE aw AS
  SELECT m.member AS respondent, c.question, c.cell, a.value, m.w, m.region, c.type
  FROM answers a JOIN members_w m ON a.respondent = m.id
  JOIN cells c ON a.question = c.question AND a.option = c.option`);

// National rows have region NULL (GROUPING SETS); the grid lists every option (cell) of a
// question for each scope in which someone answered it.
const sets = (keys) => `GROUPING SETS ((${keys}), (region, ${keys}))`;
const grid = `SELECT den.*, cells.cell FROM den JOIN cells USING (question)`;
const joined = `grid LEFT JOIN num ON grid.region IS NOT DISTINCT FROM num.region
                AND grid.cell = num.cell`;

await run(`CREATE TABLE result (region VARCHAR, cell BIGINT, statistic VARCHAR, value DOUBLE)`);
await run(`INSERT INTO result
  SELECT region, cell, CASE WHEN any_value(type) = 'score' THEN 'mean' ELSE 'share_mean' END,
         sum(w * value) / sum(w)
  FROM aw WHERE type IN ('score', 'share')
  GROUP BY ${sets('cell')} HAVING sum(w) > 0`);
await run(`INSERT INTO result
  WITH pairs AS (SELECT respondent, question, any_value(w) AS w, any_value(region) AS region
                 FROM aw WHERE type = 'choice' GROUP BY respondent, question),
  den AS (SELECT region, question, sum(w) AS den FROM pairs GROUP BY ${sets('question')}
          HAVING sum(w) > 0),
  num AS (SELECT region, cell, sum(CASE WHEN value = 1 THEN w ELSE 0 END) AS chosen
          FROM aw WHERE type = 'choice' GROUP BY ${sets('cell')}),
  grid AS (${grid})
  SELECT grid.region, grid.cell, 'proportion', coalesce(chosen, 0) / den FROM ${joined}`);
// Given ranks are positions (no ties in these answers); the k options a member ranked of n
// take positions 1..k, the others share the position k + 1 + (n - k - 1)/2 (none when k = n:
// their points are then 0, so that a Borda score of exactly 0 stays exactly 0).
await run(`INSERT INTO result
  WITH pairs AS (SELECT respondent, question, any_value(w) AS w, any_value(region) AS region,
                        count(*)::DOUBLE AS k FROM aw WHERE type = 'rank'
                 GROUP BY respondent, question),
  p AS (SELECT pairs.*, n, CASE WHEN k < n THEN n - (k + 1 + (n - k - 1) / 2) ELSE 0 END AS upts
        FROM pairs JOIN noptions USING (question)),
  den AS (SELECT region, question, sum(w) AS den, sum(w * upts) AS u FROM p
          GROUP BY ${sets('question')} HAVING sum(w) > 0),
  r AS (SELECT aw.region, aw.cell, aw.w, aw.value AS rank, p.n, p.upts
        FROM aw JOIN p USING (respondent, question) WHERE aw.type = 'rank'),
  num AS (SELECT region, cell, sum(w * (n - rank)) AS r1, sum(w * upts) AS r2,
                 sum(CASE WHEN rank = 1 THEN w ELSE 0 END) AS t1,
                 sum(CASE WHEN rank <= 3 THEN w ELSE 0 END) AS t3
          FROM r GROUP BY ${sets('cell')}),
  grid AS (${grid}),
  s AS (SELECT grid.region, grid.cell, (u - coalesce(r2, 0) + coalesce(r1, 0)) / den AS borda,
               coalesce(t1, 0) / den AS top1, coalesce(t3, 0) / den AS top3
        FROM ${joined})
  SELECT region, cell, 'borda', borda FROM s
  UNION ALL SELECT region, cell, 'top1_share', top1 FROM s
  UNION ALL SELECT region, cell, 'top3_share', top3 FROM s`);

const reader = await db.runAndReadAll(`SELECT region, question, option, statistic, value
                                         FROM result JOIN cells USING (cell)`);
const lines = ['scope,stratum,question,option,statistic,value'];
for (const [region, question, option, statistic, value] of reader.getRows())
  lines.push(`${region === null ? 'all,all' : `region,${region}`},${question},${option},` +
             `${statistic},${value}`);
writeFileSync(out, lines.join('\n') + '\n');
db.closeSync();
