/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'

// The Tauri app loads dist/ (tauri.conf.json's frontendDist) in production and the dev server
// (devUrl, port 5173) under `tauri dev`.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: 'localhost' },
  // Pre-bundled up front so that Vite does not reload the page mid-test when it meets them.
  optimizeDeps: { include: ['@tauri-apps/api/core', '@tauri-apps/api/event', '@tauri-apps/api/mocks'] },
  build: {
    // WebKitGTK 2.40+ (Debian 12) and WebView2: both take es2022.
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
})
