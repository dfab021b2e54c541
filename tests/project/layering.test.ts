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
  });
  it("only electron/app/ imports 'electron'", async () => {
    expect((await messages('electron/engine/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).join()).toMatch(/Only electron\/app/);
    expect(await messages('electron/app/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });
  it('strategies import no broker, store or clock implementation and read no wall clock', async () => {
    expect((await messages('electron/strategies/s/x.ts', "import { openStore } from '../../store/db.ts';\nexport const o = openStore;\n")).join()).toMatch(/Strategies are pure/);
    expect((await messages('electron/strategies/s/x.ts', "import { SystemClock } from '../../engine/clock.ts';\nexport const c = SystemClock;\n")).join()).toMatch(/Strategies are pure/);
    expect((await messages('electron/strategies/s/x.ts', 'export const t = Date.now();\n')).join()).toMatch(/Clock/);
    expect((await messages('electron/strategies/s/x.ts', 'export const r = Math.random();\n')).join()).toMatch(/deterministic/);
  });
  it('the engine reads time only from the injected clock', async () => {
    expect((await messages('electron/engine/x.ts', 'export const t = new Date();\n')).join()).toMatch(/Clock/);
    expect(await messages('electron/engine/x.ts', 'export const t = new Date(0);\n')).toEqual([]);
  });
});
