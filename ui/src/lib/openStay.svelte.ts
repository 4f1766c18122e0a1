// The stay the stay panel has open, and what its views share: the stay as last read, the
// error and the notice shown with it, and whether a change is under way.

import { desk } from './desk.svelte'
import { AppError, api } from './ipc'
import type { StayDetail } from './types'

export class OpenStay {
  /** Null until it is read. */
  stay = $state<StayDetail | null>(null)
  error = $state<AppError | null>(null)
  /** What the last change did, in words; kept until the next change. */
  notice = $state<string | null>(null)
  busy = $state(false)
  readonly #reservationKey: () => string

  constructor(reservationKey: () => string) {
    this.#reservationKey = reservationKey
  }

  /** Reads the stay again. */
  async load(): Promise<void> {
    try {
      this.stay = await api.stay(desk.token, this.#reservationKey())
      this.error = null
    } catch (reason) {
      this.error = AppError.from(reason)
    }
  }

  /** Runs a change: busy meanwhile, the notice cleared, a failure kept as the error.
   * Undefined when it failed. */
  async act<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true
    this.error = null
    this.notice = null
    try {
      return await work()
    } catch (reason) {
      this.error = AppError.from(reason)
      return undefined
    } finally {
      this.busy = false
    }
  }
}

/** The views of the stay panel, one at a time. */
export type StayView = 'main' | 'add-guest' | 'dates' | 'lost' | 'check-out' | 'checked-out' | 'encode'
