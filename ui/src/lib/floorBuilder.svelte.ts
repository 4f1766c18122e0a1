// The room board's floors, built a few at a time: those on screen before the first paint,
// then the rest a batch per task, so that a key press or a click is answered meanwhile (a
// floor not built yet is its heading alone). 2,000 rooms take a few hundred milliseconds.

import { flushSync } from 'svelte'
import { floorsToBuild } from './board'
import type { BoardFloor } from './types'

/** Rooms built per task after the first paint: 10–30 ms of work each, so that a key press
 * or a click is never held up for long. */
export const ROOMS_PER_TASK = 200

/** The floors to build, as the board has them now. */
export interface BuildSource {
  /** The floors shown (those the search leaves), in order. */
  shown(): BoardFloor[]
  /** Every floor of the board, or null before it has loaded. */
  all(): BoardFloor[] | null
  /** False while the floors are hidden (the timeline is shown): building would take its frames. */
  visible(): boolean
  /** Every floor is built. */
  oncomplete(): void
}

export class FloorBuilder {
  /** How many of the shown floors, from the first, have their tiles in the DOM. */
  built = $state(0)
  #task: ReturnType<typeof setTimeout> | undefined
  readonly #source: BuildSource

  constructor(source: BuildSource) {
    this.#source = source
  }

  /** Builds at least the first `count` floors with the next render (those on screen). */
  atLeast(count: number): void {
    this.built = Math.max(this.built, count)
  }

  /** Builds the remaining floors a batch per task; stops while the floors are hidden (call
   * again when they show). */
  rest(): void {
    clearTimeout(this.#task)
    const all = this.#source.all()
    if (!all || !this.#source.visible()) return
    const shown = this.#source.shown()
    if (this.built >= shown.length) {
      // Every floor from now on, also when a search that hid some of them is cleared.
      this.built = all.length
      this.#source.oncomplete()
      return
    }
    this.built = floorsToBuild(shown, this.built, ROOMS_PER_TASK)
    this.#task = setTimeout(() => this.rest())
  }

  /** Builds the floors up to `floor` now (a key moved there before `rest` got there). */
  through(floor: number): void {
    if (floor < this.built) return
    this.built = floor + 1
    flushSync()
  }

  /** Whether floors of the board are still to build. */
  get unfinished(): boolean {
    const all = this.#source.all()
    return all !== null && this.built < all.length
  }

  stop(): void {
    clearTimeout(this.#task)
  }
}
