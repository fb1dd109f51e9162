// Vite build of the console. The agent serves dist/; in development `vite`
// proxies the API to an agent on 127.0.0.1:8080 (LVS_AGENT_URL overrides it).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const agentUrl = process.env.LVS_AGENT_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The first screen stays small; charts and heavy screens are lazy chunks.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // zod and the module that configures it share a chunk that runs before
          // any schema is parsed (the shared package parses at import time).
          groups: [{ name: 'zod', test: /[\\/]node_modules[\\/]zod[\\/]|[\\/]src[\\/]lib[\\/]zod-config/ }],
        },
      },
    },
  },
  server: {
    proxy: { '/trpc': { target: agentUrl, changeOrigin: false } },
  },
});
