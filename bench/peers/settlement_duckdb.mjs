// The settlement-pass and solve cases in DuckDB SQL, driven from node (bench/README.md).
//
// usage: node settlement_duckdb.mjs pass|solve MODEL_DIR REGISTER.csv THREADS REPS
//
// Loads the register into a table (outside the timing) with, per employee, old pay, weight x
// fte, the kroner table's amount, the guarantee cell and the kroner table at that cell's step
// years, all looked up once per (group, whole years) in node. Then, timed:
//   pass   the settlement of `mdtbench pass` (kroner table + 1.5 % for chapter 4 from May,
//          guarantee floors) as one SELECT of sum(w fte (new - old)) over the covered rows, REPS
//          times after a warm-up;
//   solve  the priority rule of `mdtbench solve`, p0 found by bisection to 1e-13 relative,
//          each step one SELECT of the per-group sums, REPS solves after a warm-up.
// Run with NODE_PATH naming the node_modules that holds @duckdb/node-api.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.env.NODE_PATH ?? '.', 'x.js'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [mode, model, path, threads, repsText] = process.argv.slice(2);
const reps = Number(repsText ?? 5);
const MAX_YEARS = 100;
const CENTRAL_MONTH = 5;
const PASS_PCT = 1.5;
const SOLVE = {
  theta: 0.5, room: 2.5, floor: 2, cap: 6, localPct: 1.1, localMonth: 10,
  named: ['c34', 4.1, 5],
  profile: { g1: 0.31, g2: 0.52, g3: 0.47, g4: 0.64, g5: 0.62, g6: 0.55, g7: 0.75, g8: 0.58 },
};

const q = (s) => `'${s.replaceAll("'", "''")}'`;
const csvRows = (file) => readFileSync(join(model, file), 'utf8').trim().split('\n')
  .map((l) => l.split(','));
const groupRows = csvRows('groups.csv');
const gcol = groupRows[0];
const groups = groupRows.slice(1).map((r) => ({ id: r[gcol.indexOf('id')],
                                                chapter: r[gcol.indexOf('chapter')] }));
const G = groups.length;
const covered = groups.map((g) => g.chapter === '4');

// A step table as per-group lists of [years, nok], ascending.
function stepTable(file) {
  const rows = csvRows(file);
  const h = rows[0];
  const t = groups.map(() => []);
  for (const r of rows.slice(1)) {
    const g = groups.findIndex((x) => x.id === r[h.indexOf('group')]);
    t[g].push([Number(r[h.indexOf('step_years')]), Number(r[h.indexOf('annual_nok')])]);
  }
  t.forEach((s) => s.sort((a, b) => a[0] - b[0]));
  return t;
}
const stepAt = (t, g, years) => {
  let best = null;
  for (const s of t[g]) if (s[0] <= years) best = s;
  return best;
};
const table = stepTable('increases_2023.csv');
const guarantee = stepTable('guarantee.csv');

// One row per (group, whole years): amount a, guarantee cell gar (0: none), table at its years ta.
const cells = [];
for (let g = 0; g < G; g++)
  for (let y = 0; y <= MAX_YEARS; y++) {
    const a = stepAt(table, g, y);
    const k = stepAt(guarantee, g, y);
    const ta = k ? stepAt(table, g, k[0]) : null;
    cells.push(`(${g}, ${y}, ${a ? a[1] : 0}, ${k ? k[1] : 0}, ${ta ? ta[1] : 0})`);
  }

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads ?? 2) });
const db = await instance.connect();
await db.run(`SET preserve_insertion_order = false`);
const rows = async (sql) => (await db.runAndReadAll(sql)).getRows();
const header = readFileSync(path, 'utf8').slice(0, 4096).split('\n')[0].trim().split(',');
const weight = header.includes('weight') ? 'round(r.weight * 10000)' : '10000';
await db.run(`CREATE TABLE groups AS SELECT * FROM (VALUES ${groups.map((x, g) =>
  `(${g}, ${q(x.id)}, ${covered[g]})`).join(', ')}) t(g, id, covered)`);
await db.run(`CREATE TABLE cells AS SELECT * FROM (VALUES ${cells.join(', ')})
              t(g, y, a, gar, ta)`);
await db.run(`CREATE TABLE emp AS
  SELECT groups.g, groups.covered, r.annual_salary::DOUBLE AS old,
         ${weight} * round(r.fte * 10000) AS wfte, cells.a, cells.gar, cells.ta
  FROM read_csv(${q(path)}, header = true) r
  JOIN groups ON r."group" = groups.id
  JOIN cells ON cells.g = groups.g AND cells.y = least(floor(r.seniority_years), ${MAX_YEARS})`);
const wage = new Array(G).fill(0);
for (const [g, w] of await rows(`SELECT g, sum(wfte * old) FROM emp GROUP BY g`))
  wage[Number(g)] = w;
const totalWage = wage.reduce((s, x) => s + x, 0);
const [[n]] = await rows(`SELECT count(*) FROM emp`);
await db.run(`CREATE TABLE cov AS SELECT g, old, wfte, a, gar, ta FROM emp WHERE covered`);
await db.run(`DROP TABLE emp`);

const median = (v) => {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const timed = async (fn) => {
  await fn();
  const t = [];
  let result;
  for (let k = 0; k < reps; k++) {
    const t0 = process.hrtime.bigint();
    result = await fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return [result, median(t)];
};
const year = (13 - CENTRAL_MONTH) / 12;

if (mode === 'pass') {
  const p = `${PASS_PCT / 100}::DOUBLE`;
  const pass = async () => {
    const [[s]] = await rows(`SELECT sum(wfte * greatest(old * ${p} + a,
                                                         gar * (1 + ${p}) + ta - old)) FROM cov`);
    return s * year / totalWage * 100;
  };
  const [annual, s] = await timed(pass);
  console.log(JSON.stringify({ rows: Number(n), annual_pct: annual }));
  console.log(JSON.stringify({ pass_s: s, ns_per_employee: s / Number(n) * 1e9, passes: reps }));
} else {
  // z: the profile standardised with wage-bill weights over the covered groups.
  const prof = groups.map((x) => SOLVE.profile[x.id]);
  const has = (g) => covered[g] && prof[g] !== undefined;
  let sw = 0, swx = 0, v = 0;
  for (let g = 0; g < G; g++) if (has(g)) { sw += wage[g]; swx += wage[g] * prof[g]; }
  const mean = swx / sw;
  for (let g = 0; g < G; g++) if (has(g)) v += wage[g] * (prof[g] - mean) ** 2;
  const sd = Math.sqrt(v / sw);
  const mult = groups.map((_, g) => 1 + SOLVE.theta * (has(g) ? (prof[g] - mean) / sd : 0));
  const localYear = SOLVE.localPct / 100 * (13 - SOLVE.localMonth) / 12;
  const named = groups.findIndex((x) => x.id === SOLVE.named[0]);
  const namedYear = SOLVE.named[1] / 100 * (13 - SOLVE.named[2]) / 12;
  let passes = 0;
  const effect = async (x) => {
    passes++;
    const p = groups.map((_, g) => Math.min(Math.max(x * mult[g], SOLVE.floor), SOLVE.cap) / 100);
    const pcase = `CASE g ${p.map((v, g) => `WHEN ${g} THEN ${v}::DOUBLE`).join(' ')} END`;
    const S = new Array(G).fill(0);
    for (const [g, s] of await rows(`SELECT g, sum(wfte * greatest(old * p, gar * (1 + p) - old))
                                     FROM (SELECT *, ${pcase} AS p FROM cov) GROUP BY g`))
      S[Number(g)] = s;
    let total = 0;
    for (let g = 0; g < G; g++) {
      const level = wage[g]; // percent elements are on the pay before the settlement
      total += S[g] * year + (covered[g] ? level * localYear : 0) +
               (g === named ? level * namedYear : 0);
    }
    return total / totalWage * 100;
  };
  const solve = async () => {
    passes = 0;
    let lo = 0, hi = 1;
    while ((await effect(hi)) < SOLVE.room) { lo = hi; hi *= 2; }
    while (hi - lo > 1e-13 * hi) {
      const mid = 0.5 * (lo + hi);
      if ((await effect(mid)) < SOLVE.room) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi);
  };
  const [p0, s] = await timed(solve);
  const used = passes;
  console.log(JSON.stringify({ rows: Number(n), p0_pct: p0, annual_pct: await effect(p0) }));
  console.log(JSON.stringify({ solve_s: s, passes: used, reps }));
}
db.closeSync();
