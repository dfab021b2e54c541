import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.ts';
import { openWorkstation } from './workstation.ts';

const t0 = Date.UTC(2026, 0, 5, 15);

describe('Workstation', () => {
  it('records every engine state change in the append-only event log and system_state', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    const clock = new VirtualClock(t0);
    const ws = openWorkstation({ clock, dataDir });
    const seen: string[] = [];
    ws.onEvent((e) => e.type === 'status' && seen.push(e.payload.engineState));
    await ws.start();
    clock.advanceTo(t0 + 1_000);
    await ws.closeAll();
    const events = ws.store.events.list({}).filter((e) => e.type === 'engine.state');
    expect(events.map((e) => (e.payload as { engineState: string }).engineState)).toEqual(['stopped', 'running', 'stopped']);
    expect(events.map((e) => e.at)).toEqual([t0, t0, t0 + 1_000]);
    expect(ws.store.systemState.get('engine')).toMatchObject({ engineState: 'stopped', isTrading: false });
    expect(seen).toEqual(['running', 'stopped']);
    await ws.close();
  });

  it('comes back stopped after a restart, even if it was trading, and says so', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-'));
    const first = openWorkstation({ clock: new VirtualClock(t0), dataDir });
    await first.start();
    await first.close();
    const second = openWorkstation({ clock: new VirtualClock(t0 + 60_000), dataDir });
    expect(second.status()).toMatchObject({ engineState: 'stopped', isTrading: false });
    expect(second.logs.list(20, 'warn').map((l) => l.message).join('\n')).toMatch(/press Start to resume/);
    await second.close();
  });

  it('refuses unknown strategies with the list of known ones', async () => {
    const ws = openWorkstation({ clock: new VirtualClock(t0), dataDir: mkdtempSync(path.join(os.tmpdir(), 'thetadesk-ws-')) });
    await expect(ws.start('no-such-system')).rejects.toThrow(/Unknown strategy "no-such-system"/);
    await ws.close();
  });
});
