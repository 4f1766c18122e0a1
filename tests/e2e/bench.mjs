// Start-up time and memory of the desktop app (release build, UI embedded) against
// bench-minimal-app, a minimal Tauri 2 app built the same way, measured in turns in the same
// run. Prints rows of the benchmark's table (see ui/bench/rows.mjs).
//
//     xvfb-run -a -s "-screen 0 1280x800x24" node bench.mjs [--smoke] [--runs N]
//
// Both apps are started and driven alike, through tauri-driver and WebKitWebDriver as the
// end-to-end tests do: the WebDriver session starts the app; the sign-in form counts as shown
// once a script in the page sees its name field laid out, on the frame after; the same
// keystrokes sign in; the board counts as shown once a room tile is laid out and visible,
// the same way (the front desk's tiles are laid out hidden before sign-in). So the
// WebDriver round trips are in both figures alike. The memory is the proportional set size
// (PSS: shared pages counted once across processes) summed over the app and everything it
// started (WebKitWebProcess, WebKitNetworkProcess), read a moment after the board showed.

import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { Builder, By } from 'selenium-webdriver'
import { mebibytes, row } from '../../ui/bench/rows.mjs'
import { APP, repoDir, startTauriDriver } from './driver.mjs'
import { firstManager } from './ui.mjs'

const MINIMAL_APP = process.env.BENCH_MINIMAL_APP_BIN ?? path.join(repoDir, 'target/release/bench-minimal-app')
const MAX_RATIO = 1.3
const NAME = 'Mia Manager'
const PIN = '2468'
/** How long after the board shows the memory is read: long enough for the page to settle. */
const SETTLE_MS = 1000

const { values: options } = parseArgs({ options: { smoke: { type: 'boolean' }, runs: { type: 'string' } } })
const runs = Number(options.runs ?? (options.smoke ? 1 : 10))

for (const binary of [APP, MINIMAL_APP]) {
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it with cargo build --release -p ${path.basename(binary)} --features tauri/custom-protocol`)
  }
}
if (!process.env.DISPLAY) throw new Error('no display: run this under xvfb-run')

/** Resolves on the frame after `selector` matches an element with a box: it has been painted. */
const WAIT_FOR_PAINTED = `
  const [selector, done] = [arguments[0], arguments[arguments.length - 1]]
  const look = () => {
    // Laid out and seen: the front desk lays its board out, hidden, behind the sign-in form.
    const element = [...document.querySelectorAll(selector)].find(
      (found) => found.getClientRects().length > 0 && getComputedStyle(found).visibility === 'visible',
    )
    if (element) requestAnimationFrame(() => done(true))
    else requestAnimationFrame(look)
  }
  look()`

async function waitForPainted(session, selector) {
  const deadline = performance.now() + 30_000
  for (;;) {
    try {
      if (await session.executeAsyncScript(WAIT_FOR_PAINTED, selector)) return
    } catch (error) {
      // The first page is not there yet (or was replaced while the script ran): look again.
      if (performance.now() > deadline) throw error
      await sleep(10)
    }
  }
}

/** Every process's parent, from /proc. */
function parents() {
  const parentOf = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // The command name may hold spaces and parentheses: the fields after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // the process ended while we looked
    }
  }
  return parentOf
}

function descendants(root, parentOf) {
  const found = []
  for (const [pid] of parentOf) {
    for (let up = parentOf.get(pid); up !== undefined && up > 1; up = parentOf.get(up)) {
      if (up === root) {
        found.push(pid)
        break
      }
    }
  }
  return found
}

/** The app we started (through tauri-driver and WebKitWebDriver): other apps of the same
 * binary may be running on this machine. */
function ourApp(binary) {
  const parentOf = parents()
  const apps = descendants(process.pid, parentOf).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === binary
    } catch {
      return false
    }
  })
  if (apps.length !== 1) throw new Error(`expected one ${binary} started by this run, found ${apps.length}`)
  return { pid: apps[0], tree: [apps[0], ...descendants(apps[0], parentOf)] }
}

function pss(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)[1]) * 1024
}

async function exited(pid) {
  const deadline = performance.now() + 15_000
  while (existsSync(`/proc/${pid}`)) {
    if (performance.now() > deadline) throw new Error(`process ${pid} is still running after the session ended`)
    await sleep(20)
  }
}

/** One start of `binary`: the milliseconds to its sign-in form and to its board, and the
 * bytes of its process tree with the board open. */
async function startOnce(driverUrl, binary, args) {
  const started = performance.now()
  const session = await new Builder()
    .usingServer(driverUrl)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: binary, args } })
    .build()
  let app
  try {
    await waitForPainted(session, 'input[name="name"]')
    const signInShown = performance.now()
    await session.findElement(By.css('input[name="name"]')).sendKeys(NAME)
    await session.findElement(By.css('input[name="pin"]')).sendKeys(PIN)
    const submit = await session.findElement(By.css('button[type="submit"]'))
    const signingIn = performance.now()
    await submit.click()
    await waitForPainted(session, '[data-testid="room"]')
    const boardShown = performance.now()
    await sleep(SETTLE_MS)
    app = ourApp(binary)
    const bytes = app.tree.reduce((sum, pid) => sum + pss(pid), 0)
    return {
      toSignIn: signInShown - started,
      signInToBoard: boardShown - signingIn,
      toBoard: boardShown - started,
      bytes,
      processes: app.tree.length,
    }
  } finally {
    await session.quit()
    if (app) await exited(app.pid)
  }
}

const driver = await startTauriDriver()
const dataDir = mkdtempSync(path.join(tmpdir(), 'frontdesk-bench-'))
try {
  // The real app's database: the demo hotel and its first manager, made once. Every timed run
  // then starts as a desk does each morning, on an existing database, at the sign-in form.
  const db = path.join(dataDir, 'frontdesk.db')
  const first = await new Builder()
    .usingServer(driver.url)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: APP, args: ['--db', db, '--property', 'demo'] } })
    .build()
  try {
    await firstManager(first, NAME, PIN)
  } finally {
    await first.quit()
  }

  const apps = [
    { binary: APP, args: ['--db', db] },
    { binary: MINIMAL_APP, args: [] },
  ]
  const measured = apps.map(() => ({ toSignIn: [], signInToBoard: [], toBoard: [], bytes: [], processes: 0 }))
  // One untimed start of each first (disk caches), then the two in turns, which one goes
  // first changing every round.
  for (let run = -1; run < runs; run++) {
    for (const index of run % 2 === 0 ? [1, 0] : [0, 1]) {
      const { binary, args } = apps[index]
      const start = await startOnce(driver.url, binary, args)
      if (run < 0) continue
      for (const key of ['toSignIn', 'signInToBoard', 'toBoard', 'bytes']) measured[index][key].push(start[key])
      measured[index].processes = start.processes
    }
    console.error(`desktop: ${run < 0 ? 'warm-up' : `run ${run + 1} of ${runs}`} done`)
  }

  const [desk, minimal] = measured
  const pair = (key, what) => ({
    figure: { values: desk[key] },
    baseline: { name: `bench-minimal-app: ${what}`, values: minimal[key] },
  })
  console.log(
    row({
      path: 'desktop: start → sign-in form shown',
      ...pair('toSignIn', 'start → its sign-in form'),
      maxRatio: MAX_RATIO,
      notes: 'release builds under Xvfb, each started by a WebDriver session',
    }),
  )
  console.log(
    row({
      path: 'desktop: sign-in → room board shown',
      ...pair('signInToBoard', 'sign-in → its table'),
      notes: "the PIN's Argon2 check, the board's query and its first paint; the baseline only shows a table",
    }),
  )
  console.log(
    row({
      path: 'desktop: start → room board shown, signing in',
      ...pair('toBoard', 'start → its table, signing in'),
      maxRatio: MAX_RATIO,
      notes: 'the name and PIN typed through WebDriver in both',
    }),
  )
  console.log(
    row({
      path: 'desktop: PSS of the process tree, board open',
      ...pair('bytes', 'table open'),
      maxRatio: MAX_RATIO,
      format: mebibytes,
      notes: `${desk.processes} processes (app, WebKit's web and network processes) against ${minimal.processes}, ${SETTLE_MS / 1000} s after the board showed`,
    }),
  )
} finally {
  await driver.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
