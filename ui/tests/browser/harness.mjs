// Runs the built UI (dist/) in Debian's Chromium with the Rust side mocked: `vite preview`
// serves dist/ with the app's own Content-Security-Policy, and an init script installs
// mock-backend.ts (bundled here, never into dist/) before the app's scripts run.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { build, preview } from 'vite'

const uiDir = fileURLToPath(new URL('../..', import.meta.url))
const repoDir = path.dirname(uiDir)

/** Debian's Chromium; no browser is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Without the networking flags Chromium keeps dialling out, and this network refuses. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The Content-Security-Policy the Tauri app serves the UI with. */
function appCsp() {
  const config = JSON.parse(readFileSync(path.join(repoDir, 'tauri.conf.json'), 'utf8'))
  return config.app.security.csp
}

async function buildMockBackend(outDir) {
  await build({
    root: uiDir,
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'es2022',
      lib: {
        entry: path.join(uiDir, 'tests/browser/mock-backend.ts'),
        formats: ['iife'],
        name: 'FrontdeskMockBackend',
        fileName: () => 'mock-backend.js',
      },
    },
  })
  return path.join(outDir, 'mock-backend.js')
}

/**
 * Starts the preview server and the browser. Call `open(replies)` for a fresh page of the app
 * whose commands answer with `replies` (see mock-backend.ts), and `close()` at the end.
 */
export async function startUi() {
  // UI_DIST: a build elsewhere than dist/ (`vite build --outDir DIR`), so that builds of
  // different trees never share one folder.
  const dist = path.resolve(uiDir, process.env.UI_DIST ?? 'dist')
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist} is missing: run \`npm run build\` in ui/ first`)
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'frontdesk-ui-'))
  const mockBackend = await buildMockBackend(path.join(scratch, 'mock'))
  const server = await preview({
    root: uiDir,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: dist },
    preview: {
      host: '127.0.0.1',
      port: 0,
      headers: { 'Content-Security-Policy': appCsp() },
    },
  })
  const { port } = server.httpServer.address()
  const url = `http://127.0.0.1:${port}/`
  // A fresh profile every run, passed here rather than as --user-data-dir.
  const context = await chromium.launchPersistentContext(path.join(scratch, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  })

  return {
    url,
    /** A new page of the app; `problems` collects page errors and console errors (CSP). */
    async open(replies) {
      const page = await context.newPage()
      const problems = []
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`)
      })
      await page.addInitScript((data) => {
        window.__FRONTDESK_MOCK__ = data
        // Each page a PC of its own: what an earlier page remembered (its language) is gone.
        window.localStorage.clear()
      }, replies)
      await page.addInitScript({ path: mockBackend })
      await page.goto(url)
      return { page, problems }
    },
    async close() {
      await context.close()
      await server.close()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}
