import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Bundled rather than loaded from node_modules: as ~170 small files, resolving and reading them was a
      // quarter of a cache-hit `slipway build` (issue 18); bundled, every entry shares one copy of each.
      externalizeDeps: { exclude: ['yaml', 'zod'] },
      rolldownOptions: {
        // The Electron main process and the CLI share one bundle of services.
        input: {
          index: resolve('electron/main/index.ts'),
          cli: resolve('electron/cli/slipway.ts'),
          'build-helper': resolve('electron/helper/helper-main.ts'),
          'netboot-http': resolve('electron/publish/netboot-http-main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload is CommonJS with everything bundled in.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      emptyOutDir: true,
      minify: true,
      reportCompressedSize: false,
      rolldownOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
