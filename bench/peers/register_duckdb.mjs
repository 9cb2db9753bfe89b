// The register-load case in DuckDB, driven from node (bench/README.md).
//
// usage: node register_duckdb.mjs MODEL_DIR REGISTER.csv THREADS
//
// Times CREATE TABLE AS SELECT * FROM read_csv(...) of the register into typed columns, then
// prints the checksums `mdtbench register-load` prints, as exact integers (HUGEINT sums): fte
// and weight are held in units of 1/10 000 as mandat holds them.
// Run with NODE_PATH naming the node_modules that holds @duckdb/node-api.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.env.NODE_PATH ?? '.', 'x.js'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [model, path, threads] = process.argv.slice(2);
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const header = readFileSync(path, 'utf8').slice(0, 4096).split('\n')[0].trim().split(',');
const types = {
  id: 'VARCHAR', respondent: 'VARCHAR', group: 'VARCHAR', seniority_years: 'DOUBLE',
  fte: 'DOUBLE', annual_salary: 'BIGINT', weight: 'DOUBLE',
};
const columns = header.map((c) => `'${c}': '${types[c]}'`).join(', ');
const weight = header.includes('weight') ? 'round(weight * 10000)::BIGINT' : '10000::BIGINT';

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads ?? 2) });
const db = await instance.connect();
// Tuned as a DuckDB user would: the load needs no row order, so the scan runs unordered.
await db.run(`SET preserve_insertion_order = false`);
await db.run(`CREATE TABLE groups AS SELECT row_number() OVER () - 1 AS g, id
              FROM read_csv(${q(join(model, 'groups.csv'))}, all_varchar = true)`);
await db.run(`CREATE TABLE members AS SELECT row_number() OVER () - 1 AS m, id
              FROM read_csv(${q(join(model, 'respondents.csv'))}, all_varchar = true)`);

const t0 = process.hrtime.bigint();
await db.run(`CREATE TABLE reg AS SELECT * FROM read_csv(${q(path)}, header = true, auto_detect = false,
              columns = {${columns}})`);
const loadS = Number(process.hrtime.bigint() - t0) / 1e9;

const one = async (sql) => (await db.runAndReadAll(sql)).getRows()[0];
const [rows, weightE4, seniority] = await one(
  `SELECT count(*), sum(${weight}), sum(seniority_years) FROM reg`);
const [memberSum] = await one(
  `SELECT sum(members.m) FROM reg JOIN members ON reg.respondent = members.id`);
const perGroup = (await db.runAndReadAll(
  `WITH e AS (SELECT "group" AS id, (${weight} * round(fte * 10000)::BIGINT)::HUGEINT AS wf,
                     annual_salary FROM reg)
   SELECT groups.id, count(e.id), coalesce(sum(wf), 0), coalesce(sum(wf * annual_salary), 0)
   FROM groups LEFT JOIN e USING (id) GROUP BY groups.g, groups.id ORDER BY groups.g`)).getRows();
const out = {
  rows: Number(rows), weight_e4: Number(weightE4), respondent_row_sum: Number(memberSum),
  seniority_sum: seniority,
  groups: perGroup.map(([id, n, wf, wb]) => ({
    group: id, rows: Number(n), wfte_e8: wf.toString(), wage_bill_e8: wb.toString(),
  })),
};
console.log(JSON.stringify(out));
console.log(JSON.stringify({ load_s: loadS }));
db.closeSync();
