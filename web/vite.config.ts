/** Vite's build of the web app into `web/dist`, served by the API process (see src/http/web-app.ts). */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The app's CSP allows scripts and styles from 'self' only: no inline module preload polyfill.
  build: { outDir: 'dist', emptyOutDir: true, modulePreload: { polyfill: false }, assetsInlineLimit: 0 },
});
