/**
 * Whether two backtest runs are the same: their JSON reports (`--json FILE`, the database path left
 * out) and, when given, their databases (`--db DIR`) table by table — every row of every table, in a
 * canonical order. For changes that must not change a result (performance work):
 *
 *   npx thetadesk backtest optimus --from 1990-01-02 --to 2026-12-04 --json /tmp/a.json --db /tmp/a-db
 *   … change the code …
 *   npx thetadesk backtest optimus --from 1990-01-02 --to 2026-12-04 --json /tmp/b.json --db /tmp/b-db
 *   node scripts/backtest-diff.ts /tmp/a.json /tmp/b.json [/tmp/a-db /tmp/b-db]
 *
 * Prints each table's row count and digest; exit 0 when everything is identical, 1 otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

function report(file: string): string {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete doc.db;
  return JSON.stringify(doc);
}

/** Table → [rows, sha256 of the rows as JSON lines sorted] (blobs as base64). */
function tables(dir: string): Map<string, [number, string]> {
  const db = new Database(path.join(dir, 'thetadesk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const out = new Map<string, [number, string]>();
    for (const { name } of db.prepare<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()) {
      const rows = db
        .prepare<Record<string, unknown>>(`SELECT * FROM "${name}"`)
        .all()
        .map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v)))
        .sort();
      const h = createHash('sha256');
      for (const r of rows) h.update(r).update('\n');
      out.set(name, [rows.length, h.digest('hex').slice(0, 16)]);
    }
    return out;
  } finally {
    db.close();
  }
}

const [a, b, dbA, dbB] = process.argv.slice(2);
if (!a || !b || (dbA !== undefined && dbB === undefined)) {
  process.stderr.write('usage: node scripts/backtest-diff.ts A.json B.json [A-db-dir B-db-dir]\n');
  process.exit(2);
}
let same = report(a) === report(b);
process.stdout.write(`JSON report: ${same ? 'identical' : 'DIFFERENT'}\n`);
if (dbA !== undefined && dbB !== undefined) {
  const ta = tables(dbA);
  const tb = tables(dbB);
  for (const name of new Set([...ta.keys(), ...tb.keys()])) {
    const x = ta.get(name);
    const y = tb.get(name);
    const ok = x !== undefined && y !== undefined && x[0] === y[0] && x[1] === y[1];
    if (!ok) same = false;
    process.stdout.write(`${ok ? '  same' : '  DIFF'}  ${name.padEnd(20)} ${x ? `${x[0]} rows ${x[1]}` : 'missing'}${ok ? '' : `  vs  ${y ? `${y[0]} rows ${y[1]}` : 'missing'}`}\n`);
  }
}
process.exit(same ? 0 : 1);
