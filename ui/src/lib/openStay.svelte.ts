// The stay the stay panel has open, and what its views share: the stay as last read, the
// error and the notice shown with it, whether a change is under way, and what was changed
// elsewhere while it was open here.

import { desk } from './desk.svelte'
import { t } from './i18n.svelte'
import { isLinkDown } from './errors'
import { AppError, api } from './ipc'
import type { StayDetail } from './types'

export class OpenStay {
  /** Null until it is read. */
  stay = $state<StayDetail | null>(null)
  error = $state<AppError | null>(null)
  /** What the last change did, in words; kept until the next change. */
  notice = $state<string | null>(null)
  busy = $state(false)
  /** What was changed elsewhere (another desk, the property-management system) while the
   * stay was open here, in words; null when nothing was. */
  elsewhere = $state<string | null>(null)
  /** The stay is no longer live: checked out or taken off elsewhere. Nothing more can be done
   * with it here; `checkedOut` says whether it can be opened as a past stay. */
  over = $state(false)
  checkedOut = $state(false)
  readonly #reservationKey: () => string
  /** Counts the reads and the changes: a read's answer is kept only when nothing was read
   * or changed after it was asked. */
  #asked = 0

  constructor(reservationKey: () => string) {
    this.#reservationKey = reservationKey
  }

  /** Reads the stay again. */
  async load(): Promise<void> {
    const ticket = ++this.#asked
    try {
      const stay = await api.stay(desk.token, this.#reservationKey())
      if (ticket !== this.#asked) return
      this.stay = stay
      this.error = null
    } catch (reason) {
      if (ticket === this.#asked) this.error = AppError.from(reason)
    }
  }

  /** Reads the stay again after a change elsewhere, and says what became of it: moved to
   * another room, or checked out (it is then no longer found among the live stays). */
  async reread(): Promise<void> {
    if (this.over) return
    const key = this.#reservationKey()
    const before = this.stay
    const ticket = ++this.#asked
    try {
      const stay = await api.stay(desk.token, key)
      if (ticket !== this.#asked) return
      if (before && stay.space_id !== before.space_id) {
        this.elsewhere = stay.room_name ? t('stay:elsewhere.moved', { room: stay.room_name }) : t('stay:elsewhere.movedNoRoom')
      }
      this.stay = stay
    } catch (reason) {
      const error = AppError.from(reason)
      if (ticket !== this.#asked) return
      if (error.type === 'not_found') await this.#ended(key, ticket)
      // A terminal's lost link is said in the header; the stay as last read stays.
      else if (!isLinkDown(error)) this.error = error
    }
  }

  async #ended(key: string, ticket: number): Promise<void> {
    let checkedOut = false
    try {
      await api.pastStay(desk.token, key)
      checkedOut = true
    } catch {
      // Not a past stay either: taken off altogether.
    }
    if (ticket !== this.#asked) return
    this.over = true
    this.checkedOut = checkedOut
    this.error = null
    this.elsewhere = checkedOut ? t('stay:elsewhere.checkedOut') : t('stay:elsewhere.gone')
  }

  /** Runs a change: busy meanwhile, the notice cleared, a failure kept as the error.
   * Undefined when it failed. */
  async act<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.#asked += 1
    this.busy = true
    this.error = null
    this.notice = null
    if (!this.over) this.elsewhere = null
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

/** The views that show the stay as it is: they read it again after a change elsewhere. The
 * others show what the operator is doing with it (cards being written, a check-out done). */
export const FOLLOWING_VIEWS: readonly StayView[] = ['main', 'add-guest', 'dates', 'lost', 'check-out']
