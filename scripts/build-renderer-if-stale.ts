/** Rebuilds the renderer bundle only when its sources changed, so `npm run headless` starts fast. */
import { buildRenderer, rendererIsStale } from './build-lib.ts';

if (rendererIsStale()) {
  process.stdout.write('Building the renderer…\n');
  await buildRenderer();
}
