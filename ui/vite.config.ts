import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The build uses a relative asset base ('./'): index.html sets <base href> at run time from the
// base path the server injects (see src/lib/runtime-config.ts and docs/ui.md), so one build works at
// "/" and under a prefix such as Airflow's plugin URL. In dev and preview, /api is proxied to a
// receiver (LINEAGELENS_API_PROXY, default http://127.0.0.1:5055), and so are its live streams (/ws).
const apiTarget = process.env.LINEAGELENS_API_PROXY ?? 'http://127.0.0.1:5055';
const proxy = { '/api': { target: apiTarget, changeOrigin: false }, '/ws': { target: apiTarget, changeOrigin: false, ws: true } };

export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2500,
  },
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
