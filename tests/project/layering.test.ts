/** The layering rules of ARCHITECTURE.md are lint rules: show that each one fires. */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function messages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering rules', () => {
  it('shared/ imports neither side, nor Node, nor Electron', async () => {
    expect((await messages('shared/x.ts', "import { a } from '../electron/engine/rpc.ts';\nexport const b = a;\n")).join()).toMatch(/no-restricted-imports/);
    expect((await messages('shared/x.ts', "import fs from 'node:fs';\nexport const b = fs;\n")).join()).toMatch(/environment-free/);
    expect((await messages('shared/x.ts', "import { z } from 'zod';\nexport const b = z;\n"))).toEqual([]);
  });
  it('renderer/ imports shared/ only', async () => {
    expect((await messages('renderer/src/x.ts', "import { Workstation } from '../../electron/application/workstation.ts';\nexport const w = Workstation;\n")).join()).toMatch(/no-restricted-imports/);
    expect((await messages('renderer/src/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).join()).toMatch(/no-restricted-imports/);
    expect((await messages('renderer/src/x.ts', "import { STATUS } from '../../tests/helpers/x.ts';\nexport const s = STATUS;\n")).join()).toMatch(/Production code does not import test code/);
    expect(await messages('renderer/src/x.ts', "import { methods } from '../../shared/api.ts';\nexport const m = methods;\n")).toEqual([]);
  });
  it("only electron/app/ imports 'electron'", async () => {
    expect((await messages('electron/engine/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).join()).toMatch(/Only electron\/app/);
    expect(await messages('electron/app/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });
  it('strategies import no broker, store or clock implementation and read no wall clock', async () => {
    expect((await messages('electron/strategies/s/x.ts', "import { openStore } from '../../store/db.ts';\nexport const o = openStore;\n")).join()).toMatch(/Strategies are pure/);
    expect((await messages('electron/strategies/s/x.ts', "import { SystemClock } from '../../engine/clock.ts';\nexport const c = SystemClock;\n")).join()).toMatch(/Strategies are pure/);
    expect((await messages('electron/strategies/s/x.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n")).join()).toMatch(/Strategies are pure/);
    expect((await messages('electron/strategies/s/x.ts', 'export const t = Date.now();\n')).join()).toMatch(/Clock/);
    expect((await messages('electron/strategies/s/x.ts', 'export const r = Math.random();\n')).join()).toMatch(/deterministic/);
  });
  it("a system's folder imports only shared/, its own folder and strategies/types.ts, common.ts", async () => {
    const system = (code: string) => messages('electron/strategies/s/x.ts', code);
    // market/ (the chain helpers moved to shared/market/), another system, the registry: refused.
    expect((await system("import { closestDelta } from '../../market/select.ts';\nexport const c = closestDelta;\n")).join()).toMatch(/a system's folder imports only shared/);
    expect((await system("import { createSimulator } from '../../market/sim/simulator.ts';\nexport const c = createSimulator;\n")).join()).toMatch(/a system's folder imports only shared/);
    expect((await system("import { other } from '../other/strategy.ts';\nexport const o = other;\n")).join()).toMatch(/a system's folder imports only shared/);
    expect((await system("import { STRATEGIES } from '../index.ts';\nexport const s = STRATEGIES;\n")).join()).toMatch(/a system's folder imports only shared/);
    // shared/, its own folder, the contract's types and common schemas: allowed.
    expect(await system("import { closestDelta } from '../../../shared/market/select.ts';\nimport { z } from 'zod';\nimport type { Strategy } from '../types.ts';\nimport { riskLimitsSchema } from '../common.ts';\nimport { c } from './config.ts';\nexport const x: [typeof closestDelta, typeof z, Strategy<never> | null, typeof riskLimitsSchema, typeof c] = [closestDelta, z, null, riskLimitsSchema, c];\n")).toEqual([]);
    // One level of subfolders: its parent is still the system's folder.
    expect(await messages('electron/strategies/s/sub/x.ts', "import { c } from '../config.ts';\nimport type { Strategy } from '../../types.ts';\nimport { money } from '../../../../shared/money.ts';\nexport const x: [typeof c, Strategy<never> | null, typeof money] = [c, null, money];\n")).toEqual([]);
    expect((await messages('electron/strategies/s/sub/x.ts', "import { q } from '../../../market/quality.ts';\nexport const x = q;\n")).join()).toMatch(/a system's folder imports only shared/);
    // types.ts, common.ts, index.ts: shared/ and strategies/ only.
    expect((await messages('electron/strategies/types.ts', "import type { Store } from '../store/store.ts';\nexport type S = Store;\n")).join()).toMatch(/import only shared\/ and strategies\//);
    expect(await messages('electron/strategies/types.ts', "import type { ChainSnapshot } from '../../shared/domain/chain.ts';\nexport type C = ChainSnapshot;\n")).toEqual([]);
  });
  it('market/ and store/ never import the engine, the application or anything above them', async () => {
    for (const folder of ['market', 'store']) {
      expect((await messages(`electron/${folder}/x.ts`, "import { TradingEngine } from '../engine/trading.ts';\nexport const t = TradingEngine;\n")).join()).toMatch(new RegExp(`electron/${folder}/ .*does not import the folders above it`));
      expect((await messages(`electron/${folder}/sub/x.ts`, "import { Workstation } from '../../application/workstation.ts';\nexport const w = Workstation;\n")).join()).toMatch(/does not import the folders above it/);
      expect((await messages(`electron/${folder}/x.ts`, "import { SimBroker } from '../brokers/sim/broker.ts';\nexport const b = SimBroker;\n")).join()).toMatch(/does not import the folders above it/);
    }
    expect(await messages('electron/store/x.ts', "import { etDate } from '../../shared/time/et.ts';\nexport const d = etDate;\n")).toEqual([]);
  });
  it('brokers/ never import the engine or the application', async () => {
    expect((await messages('electron/brokers/ibkr/x.ts', "import type { Executor } from '../../engine/ports.ts';\nexport type E = Executor;\n")).join()).toMatch(/electron\/brokers\/ .*does not import the folders above it/);
    expect((await messages('electron/brokers/x.ts', "import { dispatch } from '../application/rpc.ts';\nexport const d = dispatch;\n")).join()).toMatch(/does not import the folders above it/);
    expect(await messages('electron/brokers/x.ts', "import { StoreError } from '../store/errors.ts';\nexport const e = StoreError;\n")).toEqual([]);
  });
  it('engine/ (the trading core) never imports the application, the backtester or a transport', async () => {
    for (const target of ['application/workstation.ts', 'backtest/run.ts', 'headless/server.ts', 'cli/main.ts', 'app/ipc.ts']) {
      expect((await messages('electron/engine/execution/x.ts', `import { x } from '../../${target}';\nexport const y = x;\n`)).join()).toMatch(/electron\/engine\/ is the trading core/);
    }
    expect(await messages('electron/engine/x.ts', "import type { Broker } from '../brokers/port.ts';\nimport type { Store } from '../store/store.ts';\nexport type B = [Broker, Store];\n")).toEqual([]);
  });
  it('the application never imports a transport; the backtester never the application', async () => {
    expect((await messages('electron/application/x.ts', "import { startServer } from '../headless/server.ts';\nexport const s = startServer;\n")).join()).toMatch(/electron\/application\/ .*does not import the folders above it/);
    expect((await messages('electron/backtest/x.ts', "import { Workstation } from '../application/workstation.ts';\nexport const w = Workstation;\n")).join()).toMatch(/electron\/backtest\/ .*does not import the folders above it/);
  });
  it('production code never imports test code; unit tests beside it may', async () => {
    expect((await messages('electron/engine/x.ts', "import { openTemp } from '../../tests/store/fixtures.ts';\nexport const o = openTemp;\n")).join()).toMatch(/Production code does not import test code/);
    expect((await messages('electron/strategies/s/x.ts', "import { realChains } from '../../../tests/helpers/credit-verticals.ts';\nexport const r = realChains;\n")).join()).toMatch(/Production code does not import test code/);
    expect(await messages('electron/engine/x.test.ts', "import { openTemp } from '../../tests/store/fixtures.ts';\nexport const o = openTemp;\n")).toEqual([]);
  });
  it('the engine, and the application, read time only from the injected clock', async () => {
    expect((await messages('electron/engine/x.ts', 'export const t = new Date();\n')).join()).toMatch(/Clock/);
    expect((await messages('electron/application/x.ts', 'export const t = Date.now();\n')).join()).toMatch(/Clock/);
    expect(await messages('electron/engine/x.ts', 'export const t = new Date(0);\n')).toEqual([]);
  });
});
