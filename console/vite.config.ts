import { defineConfig } from 'vite';

// The pages are built into the server's classpath (webroot/), so the jar serves them itself.
export default defineConfig({
  root: '.',
  base: '/',
  build: {
    outDir: '../target/classes/webroot',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline script or style anywhere: the Content-Security-Policy allows this origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
