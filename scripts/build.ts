/** `npm run build`: the renderer bundle (Vite) and the Electron main + preload bundles (esbuild) into out/. */
import { buildElectron, buildRenderer } from './build-lib.ts';

await buildRenderer();
await buildElectron();
process.stdout.write('Built out/renderer and out/electron.\n');
