// Starts the real app through tauri-driver (in front of WebKitWebDriver) and hands back a
// selenium session. Needs a display: scripts/test runs these tests under xvfb-run.

import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Builder } from 'selenium-webdriver'

export const repoDir = fileURLToPath(new URL('../..', import.meta.url))

/** The release build with the UI embedded (see scripts/test). */
export const APP = process.env.FRONTDESK_DESKTOP_BIN ?? path.join(repoDir, 'target/release/frontdesk-desktop')

function tauriDriverPath() {
  if (process.env.TAURI_DRIVER) return process.env.TAURI_DRIVER
  const installed = path.join(process.env.CARGO_HOME ?? path.join(homedir(), '.cargo'), 'bin/tauri-driver')
  return installed
}

/** A port free on loopback now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function waitForDriver(url, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`)
    try {
      const response = await fetch(`${url}/status`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`tauri-driver did not answer on ${url}`)
}

/** tauri-driver on free ports; `stop()` ends it. */
export async function startTauriDriver() {
  const port = await freePort()
  const nativePort = await freePort()
  const child = spawn(tauriDriverPath(), ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  await waitForDriver(url, child, Date.now() + 15_000)
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/**
 * Opens the app with `args` (a fresh data folder unless `--db` is among them) and returns the
 * session, the data folder, and `close()`, which quits the app and removes the folder.
 */
export async function openApp(driverUrl, args = []) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'frontdesk-e2e-'))
  const appArgs = args.includes('--db') ? args : ['--db', path.join(dataDir, 'frontdesk.db'), ...args]
  const session = await new Builder()
    .usingServer(driverUrl)
    .withCapabilities({
      browserName: 'wry',
      'tauri:options': { application: APP, args: appArgs },
    })
    .build()
  return {
    session,
    dataDir,
    async close() {
      try {
        await session.quit()
      } finally {
        rmSync(dataDir, { recursive: true, force: true })
      }
    },
  }
}

/**
 * Opens the app as a terminal of a property server: paired with `code` on its first start,
 * its pairing and simulated encoder in `dir`. `close()` quits it and leaves `dir`.
 */
export async function openTerminal(driverUrl, dir, code) {
  const args = ['--terminal-file', path.join(dir, 'terminal.json'), '--simulated-encoder-file', path.join(dir, 'encoder.json')]
  if (code) args.push('--pair', code)
  const session = await new Builder()
    .usingServer(driverUrl)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: APP, args } })
    .build()
  return {
    session,
    async close() {
      await session.quit()
    },
  }
}

/**
 * Starts `frontdesk serve` (the binary `frontdesk`) on `db` with the demo hotel, its API on a
 * free loopback port with `apiKey`, and `args`; resolves with the child, the API's address and
 * what the server printed by then, once it says where it listens.
 */
export async function startServer(frontdesk, db, apiKey, args = []) {
  const child = spawn(frontdesk, ['serve', '--db', db, '--property', 'demo', '--listen', '127.0.0.1:0', ...args], {
    env: { ...process.env, FRONTDESK_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const { endpoint, output } = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('the server did not start')), 30_000)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = out.match(/listening on (http:\/\/\S+)/)
      if (match) {
        clearTimeout(timer)
        resolve({ endpoint: match[1], output: out })
      }
    })
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)))
  })
  return { child, endpoint, output }
}

/** Stops a server `startServer` started, waiting for it to exit. */
export async function stopServer(server) {
  if (!server || server.child.exitCode !== null) return
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  await exited
}

/** The titles of the X display's top-level windows (xwininfo, from x11-utils). */
export function windowTitles() {
  const tree = execFileSync('xwininfo', ['-root', '-tree'], { encoding: 'utf8' })
  return [...tree.matchAll(/^\s+0x[0-9a-f]+ "(.*)":/gm)].map((match) => match[1])
}
