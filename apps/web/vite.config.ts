// Vite build of the console. The agent serves dist/; in development `vite`
// proxies the API to an agent on 127.0.0.1:8080 (LVS_AGENT_URL overrides it).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const agentUrl = process.env.LVS_AGENT_URL ?? 'http://127.0.0.1:8080';

/**
 * main.tsx imports the schemas and then the app dynamically (so that each
 * evaluates in a task of its own, after the entry has sent the first requests);
 * this preloads their chunks from index.html like static imports, so the split
 * costs no extra round trip.
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'lvs-console-preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const entries = ['/src/app/schemas.ts', '/src/app/mount.tsx'].map((module) => {
          const chunk = chunks.find((c) => c.facadeModuleId?.endsWith(module));
          if (!chunk) throw new Error(`no chunk for src${module.slice(4)}: main.tsx must import it dynamically`);
          return chunk;
        });
        // Those chunks and every chunk they import statically, unless index.html has it already.
        const files = new Set<string>();
        const visit = (fileName: string) => {
          if (files.has(fileName)) return;
          files.add(fileName);
          for (const next of chunks.find((c) => c.fileName === fileName)?.imports ?? []) visit(next);
        };
        for (const entry of entries) visit(entry.fileName);
        return [...files]
          .filter((file) => !html.includes(`/${file}"`))
          .map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const }));
      },
    },
  };
}

/** Text files worth compressing; smaller ones cost more in headers than they save. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|webmanifest)$/;
const MIN_COMPRESS_BYTES = 1024;

/**
 * Brotli and gzip copies beside each text file of dist/ (file.br, file.gz),
 * made once at build time with node's zlib at maximum quality; the agent
 * serves them to browsers that accept them (apps/agent/src/http/static-files.ts).
 */
function precompress(outDir: string): Plugin {
  return {
    name: 'lvs-console-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
      for (const file of walk(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const content = readFileSync(file);
        if (content.length < MIN_COMPRESS_BYTES) continue;
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, {
            params: { [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: content.length },
          }),
        );
        writeFileSync(`${file}.gz`, gzipSync(content, { level: zlibConstants.Z_BEST_COMPRESSION }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), preloadAppChunk(), precompress(resolve(import.meta.dirname, 'dist'))],
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
