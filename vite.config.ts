import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer bundle: served by Electron's app:// protocol and by the headless server alike.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../out/renderer', emptyOutDir: true, sourcemap: true, target: 'es2022' },
});
