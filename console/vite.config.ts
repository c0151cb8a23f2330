import { defineConfig } from 'vite';

// Two pages: the console (Preact) at / and GraphiQL (React, which it needs) at /graphiql. Their
// code is split so that the console never loads GraphiQL's editor. The output goes to the folder
// the server serves (CONSOLE_DIR, dist/console by default).
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: process.env.CONSOLE_OUT_DIR ?? '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { console: 'index.html', graphiql: 'graphiql.html' },
      // GraphiQL's React dependencies carry "use client" (a React Server Components hint), which
      // means nothing in a plain client bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
