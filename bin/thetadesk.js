#!/usr/bin/env node
// `npx thetadesk <command>`: the command-line entry point (TypeScript runs directly on Node >= 22.18).
import('../electron/cli/main.ts').then(
  (cli) => cli.main(process.argv.slice(2)).then((code) => process.exit(code)),
  (error) => {
    process.stderr.write(`thetadesk could not start: ${error.message}\nIt needs Node.js 22.18 or newer (found ${process.version}).\n`);
    process.exit(1);
  },
);
