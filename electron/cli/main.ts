/** The `thetadesk` command: one sub-command per file in electron/cli/, loaded only when used. */

type Command = { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> };

export const COMMANDS: Record<string, Command> = {
  export: { summary: 'export trades, legs, fills, decisions or daily summaries to CSV', load: () => import('./export.ts') },
  backtest: { summary: 'run a strategy over simulated or imported chains', load: () => import('./backtest.ts') },
  sim: { summary: 'look at the built-in market simulator: export days, one chain, or the realism report (export | chain | report)', load: () => import('./sim.ts') },
  db: { summary: 'back up, check or restore the database (backup | check | restore)', load: () => import('./db.ts') },
  optimus: { summary: "seed 002's tools: signals (the days every signal gate passed, with each gate's value)", load: () => import('./optimus.ts') },
  study: { summary: 'the 0DTE put-sell probability study, seed 001 (fit | walk-forward | forward | report)', load: () => import('./study.ts') },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: thetadesk <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "thetadesk <command> --help" for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n${usage()}\n`);
    return 2;
  }
  try {
    return await (await command.load()).main(rest);
  } catch (error) {
    process.stderr.write(`thetadesk ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
