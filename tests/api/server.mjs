// Starts a fresh `frontdesk serve` on a free loopback port with its own database, and
// stops it again. The binary is FRONTDESK_BIN, or the workspace's debug build.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const binary =
  process.env.FRONTDESK_BIN ?? resolve(here, '../../target/debug/frontdesk')
export const propertyFile = join(here, '../fixtures/test-property.json')
export const apiKey = 'seam_test_0123456789abcdef'

/** Before every stay of the guide's examples, so that none of them is in the past. */
export const guideTime = '2025-05-01T09:00:00Z'

/** `args` are passed on to `frontdesk serve` after the usual ones. */
export async function startServer({ simulatedTime = guideTime, args = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-api-'))
  const child = spawn(
    binary,
    [
      'serve',
      '--db', join(dir, 'frontdesk.db'),
      '--property', propertyFile,
      '--listen', '127.0.0.1:0',
      '--simulated-time', simulatedTime,
      ...args,
    ],
    { env: { ...process.env, FRONTDESK_API_KEY: apiKey }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const endpoint = await new Promise((resolvePromise, reject) => {
    let stdout = ''
    const timer = setTimeout(() => reject(new Error(`frontdesk did not start: ${stderr}`)), 20_000)
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const match = stdout.match(/listening on (http:\/\/\S+)/)
      if (match) {
        clearTimeout(timer)
        resolvePromise(match[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`frontdesk exited with ${code}: ${stderr}`))
    })
  })
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  return { endpoint, stop }
}
