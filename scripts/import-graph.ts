/**
 * The import graph of the production code (electron/, shared/, renderer/; tests and declaration files
 * left out), read with TypeScript's own import scanner, and the cycles in it: between the top-level
 * folders under electron/ (plus shared/ and renderer/ as one node each) and between files.
 *
 *   node scripts/import-graph.ts     prints the folder graph and every cycle; exit 1 when there is one
 *
 * tests/project/import-cycles.test.ts keeps both lists empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const root = path.resolve(import.meta.dirname, '..');

const SOURCE = /\.(ts|tsx)$/;
const NOT_PRODUCTION = /(\.test\.tsx?|\.d\.ts)$/;

/** An import of one production file by another, as repo-relative paths. */
export type Edge = { from: string; to: string };

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...filesUnder(full));
    } else if (SOURCE.test(entry.name) && !NOT_PRODUCTION.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

/** Every relative import (static, dynamic, `export … from`) between production files under `roots`. */
export function importEdges(roots: readonly string[] = ['electron', 'shared', 'renderer']): Edge[] {
  const files = roots.flatMap((r) => filesUnder(path.join(root, r)));
  const known = new Set(files);
  const edges: Edge[] = [];
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue; // a package
      const target = path.resolve(path.dirname(file), fileName);
      if (!known.has(target)) continue; // an asset (css) or a test helper
      edges.push({ from: path.relative(root, file), to: path.relative(root, target) });
    }
  }
  return edges;
}

/** The node a file belongs to: `electron/<folder>` for the main process, else its top-level folder. */
export function folderOf(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[0] === 'electron' && parts.length > 2 ? `electron/${parts[1]}` : parts[0]!;
}

/** Each cycle of the graph (Tarjan's strongly connected components of more than one node, or a self-loop), nodes sorted. */
export function cycles(nodes: Iterable<string>, edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const n of nodes) next.set(n, []);
  for (const e of edges) next.get(e.from)?.push(e.to);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const n of next.keys()) if (!index.has(n)) visit(n);
  return found;
}

/** The folder graph: each arrow with one import that makes it (file → file). */
export function folderEdges(edges: readonly Edge[]): Map<string, Edge> {
  const arrows = new Map<string, Edge>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a !== b && !arrows.has(`${a} -> ${b}`)) arrows.set(`${a} -> ${b}`, e);
  }
  return arrows;
}

/** Cycles between folders, each arrow of a cycle named with one import that makes it. */
export function folderCycles(edges: readonly Edge[]): string[] {
  const arrows = folderEdges(edges);
  const folderGraph = [...arrows.keys()].map((k) => {
    const [from, to] = k.split(' -> ') as [string, string];
    return { from, to };
  });
  const nodes = new Set(folderGraph.flatMap((e) => [e.from, e.to]));
  return cycles(nodes, folderGraph).map((c) => {
    const inCycle = [...arrows].filter(([k]) => c.includes(k.split(' -> ')[0]!) && c.includes(k.split(' -> ')[1]!));
    return `${c.join(' ⇄ ')}: ${inCycle.map(([k, e]) => `${k} (${e.from} imports ${e.to})`).join('; ')}`;
  });
}

/** Cycles between files. */
export function fileCycles(edges: readonly Edge[]): string[] {
  const nodes = new Set(edges.flatMap((e) => [e.from, e.to]));
  return cycles(nodes, edges).map((c) => c.join(' ⇄ '));
}

if (import.meta.filename === process.argv[1]) {
  const edges = importEdges();
  const arrows = [...folderEdges(edges).keys()].sort();
  process.stdout.write(`Folder imports (${edges.length} file imports):\n${arrows.map((a) => `  ${a}`).join('\n')}\n`);
  const problems = [...folderCycles(edges).map((c) => `folder cycle: ${c}`), ...fileCycles(edges).map((c) => `file cycle: ${c}`)];
  process.stdout.write(problems.length === 0 ? 'No import cycles.\n' : `${problems.join('\n')}\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
