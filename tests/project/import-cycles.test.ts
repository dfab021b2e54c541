/** No import cycle between the folders of electron/ (nor shared/, renderer/), nor between files (scripts/import-graph.ts). */
import { describe, expect, it } from 'vitest';
import { fileCycles, folderCycles, importEdges, type Edge } from '../../scripts/import-graph.ts';

describe('import cycles', () => {
  const edges = importEdges();

  it('reads the real graph (the application imports the engine, the engine the store, …)', () => {
    const has = (from: string, to: string) => edges.some((e) => e.from.startsWith(from) && e.to.startsWith(to));
    expect(has('electron/application/', 'electron/engine/')).toBe(true);
    expect(has('electron/engine/', 'electron/store/')).toBe(true);
    expect(has('electron/backtest/', 'electron/engine/')).toBe(true);
  });

  it('has none between the top-level folders under electron/', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('has none between files', () => {
    expect(fileCycles(edges)).toEqual([]);
  });

  it('names each arrow of a cycle with an import that makes it (the engine ⇄ backtest loop as it was)', () => {
    const loop: Edge[] = [
      { from: 'electron/engine/backtest-worker.ts', to: 'electron/backtest/run.ts' },
      { from: 'electron/backtest/run.ts', to: 'electron/engine/trading.ts' },
      { from: 'electron/engine/trading.ts', to: 'electron/store/store.ts' },
    ];
    expect(folderCycles(loop)).toEqual([
      'electron/backtest ⇄ electron/engine: electron/engine -> electron/backtest (electron/engine/backtest-worker.ts imports electron/backtest/run.ts); electron/backtest -> electron/engine (electron/backtest/run.ts imports electron/engine/trading.ts)',
    ]);
    expect(fileCycles(loop)).toEqual([]);
    expect(fileCycles([...loop, { from: 'electron/engine/trading.ts', to: 'electron/engine/backtest-worker.ts' }])).toEqual([
      'electron/backtest/run.ts ⇄ electron/engine/backtest-worker.ts ⇄ electron/engine/trading.ts',
    ]);
  });
});
