// The window kept in step with the property. The property may change anywhere: at this desk,
// at another terminal, through the property-management system or the server's tools; the Rust
// side says so with `desk-changed`, and a terminal's link to its server with
// `server-connection`. Both are heard here, once for the window, and each open view asks to
// read its data again with `follow`.
//
// A burst of changes is read once: the first change opens a short window, and the views read
// again when it closes. A view reads again only when it is idle (not in the middle of the
// operator's own request, not while a stay is carried) and while its data can be read (a
// terminal's server is in reach); it catches up as soon as it can. Reading again replaces the
// data alone: dialogs, forms, focus and scroll stay as they are.

import { untrack } from 'svelte'
import { desk } from './desk.svelte'
import { api, onDeskChanged, onServerConnection } from './ipc'
import type { TerminalStatus } from './types'

/** Changes this close together are read once: about a frame, so that a change reaches the
 * screen well within the 100 ms a desk may take (the server looks for changes every 20 ms). */
export const SETTLE_MS = 16

class Live {
  /** A terminal's link to its property server as last told; null on a standalone desk. */
  link = $state<TerminalStatus | null>(null)
  /** Counts the bursts of changes that have settled: a view that has not read since the last
   * one reads again. */
  changes = $state(0)
  /** A burst of changes is under way: the views wait for it to settle. */
  settling = $state(false)
  #timer: ReturnType<typeof setTimeout> | undefined

  /** A terminal whose server is out of reach, or refuses it: changes are refused meanwhile. */
  get offline(): boolean {
    return this.link !== null && !this.link.online
  }

  /** The property changed somewhere: the views read again once the burst has settled. */
  changed(): void {
    if (this.#timer !== undefined) return
    this.settling = true
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.settling = false
      this.changes += 1
    }, SETTLE_MS)
  }

  /** The terminal's link came or went. Back online, the views read again (anything may have
   * changed meanwhile; the change the server tells with it falls in the same burst), and the
   * app's info too: the property's name and time zone come from the server. */
  connection(status: TerminalStatus): void {
    this.link = status
    if (!status.online) return
    this.changed()
    api
      .appInfo()
      .then((info) => (desk.info = info))
      .catch(() => undefined)
  }

  /** Listens to both events; resolves with a function that stops. Start it before the
   * app's info is read, so that no change slips between the two. */
  async start(): Promise<() => void> {
    const stops = await Promise.all([onDeskChanged(() => this.changed()), onServerConnection((status) => this.connection(status))])
    return () => {
      for (const stop of stops) stop()
      clearTimeout(this.#timer)
      this.#timer = undefined
      this.settling = false
    }
  }
}

export const live = new Live()

/**
 * Reads a view's data again after each settled burst of changes, once `idle` says the view is
 * not busy and while the property can be read (changes heard meanwhile are read once). Call it while a component initialises: it
 * stops with the component. `reread` keeps what the view shows until the new data is there.
 */
export function follow(reread: () => Promise<unknown>, idle: () => boolean = () => true): void {
  let seen = untrack(() => live.changes)
  let reading = $state(false)
  $effect(() => {
    const wanted = live.changes
    if (wanted === seen || reading || live.settling || live.offline || !idle()) return
    // After the task under way: the operator's own request that has just settled may still
    // open another view that is not to be read (a stay checked out here shows its cards).
    const timer = setTimeout(() => {
      seen = wanted
      reading = true
      reread()
        .catch(() => undefined)
        .finally(() => (reading = false))
    })
    return () => clearTimeout(timer)
  })
}
