/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'

// The Tauri app loads dist/ (tauri.conf.json's frontendDist) in production and the dev server
// (devUrl, port 5173) under `tauri dev`.
export default defineConfig(({ mode }) => {
  // Vitest's mode. The unit tests take Svelte's modules as the browser runs them: compiled
  // for the server and run by its server runtime, they would run no effects, and `follow`
  // (lib/live.svelte.ts) is one.
  const unitTests = mode === 'test'
  return {
    plugins: [svelte(unitTests ? { dynamicCompileOptions: () => ({ generate: 'client' }) } : {})],
    resolve: unitTests ? { conditions: ['browser'] } : undefined,
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
  }
})
