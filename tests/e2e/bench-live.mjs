// How fast a change reaches another desk's screen: a property server (`frontdesk serve`, release
// build) with its local API and one real desktop terminal (release build, under Xvfb, signed
// in on its room board). Each change goes through the API: a guest made on a room
// (`/access_grants/create`), then taken off it again (`/access_grants/delete`). A change counts
// as painted once the terminal's board shows it (the guest's name on it, or gone from it) and
// the frame that shows it has been drawn; the time is taken in the page, on the same clock as
// the request's, so WebDriver's round trips are not in it. Prints one row of the benchmark's
// table (see ui/bench/rows.mjs).
//
//     xvfb-run -a -s "-screen 0 1280x800x24" node bench-live.mjs [--smoke] [--changes N]

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { By } from 'selenium-webdriver'
import { row } from '../../ui/bench/rows.mjs'
import { openTerminal, repoDir, startServer, startTauriDriver, stopServer } from './driver.mjs'

const FRONTDESK = process.env.FRONTDESK_BIN ?? path.join(repoDir, 'target/release/frontdesk')
const API_KEY = 'seam_bench_live_0123456789abcdef'
const MANAGER = { name: 'Mia Manager', pin: '2468' }
const P99_LIMIT_MS = 100
const WARM_UP = 10

const { values: options } = parseArgs({ options: { smoke: { type: 'boolean' }, changes: { type: 'string' } } })
const changes = Number(options.changes ?? (options.smoke ? 6 : 200))

if (!existsSync(FRONTDESK)) {
  throw new Error(`${FRONTDESK} is missing: build it with cargo build --release -p server --bin frontdesk`)
}
if (!process.env.DISPLAY) throw new Error('no display: run this under xvfb-run')

/** Milliseconds since the epoch, to the microsecond: the page's clock reads the same. */
const now = () => performance.timeOrigin + performance.now()

function tool(args, input = '') {
  const run = spawnSync(FRONTDESK, args, { input, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`frontdesk ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

async function api(endpoint, route, body) {
  const response = await fetch(`${endpoint}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const answer = await response.json()
  if (!response.ok) throw new Error(`${route}: ${JSON.stringify(answer)}`)
  return answer
}

/**
 * Installs, before a change is made, the watch for it on the board: resolves
 * `window.livePainted` with the time at which the board shows `name` (or, with `present`
 * false, no longer shows it), once the frame showing it is drawn (a task queued from the
 * frame's animation callback runs after its rendering).
 */
const WATCH = `
  const [name, present] = arguments
  const shows = () => (document.querySelector('[data-testid="room-board"]')?.textContent ?? '').includes(name) === present
  window.livePainted = new Promise((resolve) => {
    const painted = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.timeOrigin + performance.now())))
    if (shows()) return painted()
    const observer = new MutationObserver(() => {
      if (!shows()) return
      observer.disconnect()
      painted()
    })
    observer.observe(document.body, { subtree: true, childList: true, characterData: true })
  })`
const PAINTED = 'window.livePainted.then(arguments[arguments.length - 1])'

const dir = mkdtempSync(path.join(tmpdir(), 'frontdesk-bench-live-'))
const driver = await startTauriDriver()
let server
let terminal
try {
  const db = path.join(dir, 'server.db')
  server = await startServer(FRONTDESK, db, API_KEY, ['--terminals-listen', '127.0.0.1:0'])
  tool(['operators', 'add', '--db', db, '--name', MANAGER.name, '--role', 'manager'], `${MANAGER.pin}\n`)
  const code = tool(['terminals', 'pair', '--db', db, '--name', 'Desk 2']).trim().split(/\s+/).at(-1)
  terminal = await openTerminal(driver.url, mkdtempSync(path.join(dir, 'terminal-')), code)
  const { session } = terminal
  await session.manage().setTimeouts({ script: 10_000 })
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      await session.findElement(By.css('input[name="name"]')).sendKeys(MANAGER.name)
      break
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  await session.findElement(By.css('input[name="pin"]')).sendKeys(MANAGER.pin)
  await session.findElement(By.css('button[type="submit"]')).click()
  await session.wait(async () => (await session.findElements(By.css('[data-testid="room"]'))).length > 0, 30_000)

  const { spaces } = await api(server.endpoint, '/spaces/list', {})
  const room = spaces.find((space) => space.name.startsWith('Room'))
  if (!room) throw new Error('the demo property has no room')
  const painted = []
  const answered = []
  for (let change = 0; change < WARM_UP + changes; change++) {
    const name = `Live ${Math.floor(change / 2)}`
    const creating = change % 2 === 0
    await session.executeScript(WATCH, name, creating)
    const started = now()
    if (creating) {
      const start = new Date()
      const { access_grant: grant } = await api(server.endpoint, '/access_grants/create', {
        user_identity: { full_name: name },
        space_ids: [room.space_id],
        starts_at: start.toISOString(),
        ends_at: new Date(start.getTime() + 86_400_000).toISOString(),
        requested_access_methods: [{ mode: 'card' }],
        reservation_key: `live-${change}`,
      })
      room.grant = grant.access_grant_id
    } else {
      await api(server.endpoint, '/access_grants/delete', { access_grant_id: room.grant })
    }
    const answer = now() - started
    const shown = (await session.executeAsyncScript(PAINTED)) - started
    if (change >= WARM_UP) {
      painted.push(shown)
      answered.push(answer)
    }
  }
  console.log(
    row({
      path: 'terminal: a change through the API painted on another terminal’s board',
      figure: { values: painted },
      baseline: { name: "the API's own answer", values: answered },
      p99Limit: P99_LIMIT_MS,
      notes: 'release builds, the terminal under Xvfb; a guest made on a room, then taken off it, in turns',
    }),
  )
} finally {
  if (terminal) await terminal.close()
  await driver.stop()
  await stopServer(server)
  rmSync(dir, { recursive: true, force: true })
}
