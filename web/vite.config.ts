import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.RAPPORT_API_URL ?? 'http://localhost:3000';

/**
 * The web app's build. `npm run build:web` writes dist/web, which `npm start` serves;
 * `npm run dev:web` serves it with hot reload and proxies the API to a running Rapport.
 */
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The manifest lets scripts/web-budget.mjs find what the sign-in page loads.
    manifest: true,
    target: 'es2022',
    chunkSizeWarningLimit: 700,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': {
        target: api,
        changeOrigin: true,
        // Rapport accepts cookie-authenticated writes only from its own origin (CSRF check).
        configure: (proxy) => proxy.on('proxyReq', (req) => req.setHeader('origin', new URL(api).origin)),
      },
    },
  },
});
