// Moving a stay to another room by dragging it, with the mouse or the keyboard: the state
// machine the room board and the timeline share. A press becomes a drag once the pointer has
// moved a few pixels (less is a click); while the stay is dragged, the place under it is
// marked `drop-ok` or `drop-no` with the verdict of `canDrop`, and the screen reader is told;
// a drop where the stay is accepted hands the move to the view to confirm, any other end says
// why nothing moved. What a place is (a tile, a timeline row) and where it is on screen is the
// view's, given as a `DragView`.

import { announcer } from './announcer.svelte'
import { announceCancel, announceOver, announcePickUp, announceRefusedDrop, type DropVerdict } from './dnd'
import type { StaySummary } from './types'

/** What a drag needs of a room: its name for the words, its id to tell it from another. */
export interface DragRoom {
  space_id: string
  name: string
}

/** The view a stay is dragged on. */
export interface DragView<Stay extends StaySummary, Room extends DragRoom, Place> {
  /** The place under the pointer, or null. */
  placeAt(x: number, y: number): Place | null
  /** The room at a place; null where nothing can be dropped (a floor's heading). */
  roomAt(place: Place): Room | null
  same(place: Place, other: Place): boolean
  /** The element that is marked while the stay is over `place`. */
  element(place: Place): Element | null
  canDrop(stay: Stay, from: Room, to: Room): DropVerdict
  /** A drop where the stay is accepted: the view asks to confirm the move. */
  drop(stay: Stay, from: Room, to: Room): void
}

export interface DragOptions {
  /** Scrolls the window while the pointer is near its top or bottom edge. */
  edgeScroll?: boolean
  /** Marks the place the stay was picked up from `drag-source` while it is dragged. */
  markSource?: boolean
  /** Where the words for the screen reader go: the app's live region unless told. */
  say?: (text: string) => void
}

export interface Drag<Stay, Room, Place> {
  stay: Stay
  from: Room
  /** Where the stay was picked up. */
  origin: Place
  mode: 'pointer' | 'keyboard'
  /** The pointer in the window, while the mouse drags. */
  x: number
  y: number
  /** The place the stay is over, when it takes drops. */
  over: Place | null
  verdict: DropVerdict | null
}

/** How far a pressed pointer moves, in pixels, before the press is a drag and not a click. */
export const DRAG_DISTANCE = 6
/** How near the window's top or bottom edge, in pixels, a dragged stay scrolls it. */
const SCROLL_EDGE = 64

export class StayDrag<Stay extends StaySummary, Room extends DragRoom, Place> {
  /** The stay being dragged, or null. */
  drag = $state<Drag<Stay, Room, Place> | null>(null)
  #pressed: { stay: Stay; from: Room; origin: Place; x: number; y: number; id: number } | null = null
  #clickSuppressed = false
  #marked: Element | null = null
  #scrolling = 0
  readonly #view: DragView<Stay, Room, Place>
  readonly #edgeScroll: boolean
  readonly #markSource: boolean
  readonly #say: (text: string) => void

  constructor(view: DragView<Stay, Room, Place>, options: DragOptions = {}) {
    this.#view = view
    this.#edgeScroll = options.edgeScroll ?? false
    this.#markSource = options.markSource ?? false
    this.#say = options.say ?? ((text) => announcer.say(text))
  }

  /** True just after a mouse drag ends: the click that comes with the release opens nothing. */
  get clickSuppressed(): boolean {
    return this.#clickSuppressed
  }

  /** The pointer is pressed on a stay: a drag once it moves far enough (see `pointerMove`). */
  press(event: PointerEvent, stay: Stay, from: Room, origin: Place): void {
    if (event.button !== 0 || this.drag) return
    this.#pressed = { stay, from, origin, x: event.clientX, y: event.clientY, id: event.pointerId }
  }

  /** Picks the stay up from the keyboard; the view steers it with `hover` and ends it with `end`. */
  pickUp(stay: Stay, from: Room, origin: Place): void {
    this.#start(stay, from, origin, 'keyboard')
  }

  #start(stay: Stay, from: Room, origin: Place, mode: Drag<Stay, Room, Place>['mode'], x = 0, y = 0): void {
    this.drag = { stay, from, origin, mode, x, y, over: null, verdict: null }
    if (this.#markSource) this.#view.element(origin)?.classList.add('drag-source')
    this.#say(announcePickUp(stay, from))
    if (mode === 'pointer' && this.#edgeScroll) this.#scrolling = requestAnimationFrame(this.#scroll)
  }

  /** The stay is over `place` (null: over nothing that takes it). */
  hover(place: Place | null): void {
    const drag = this.drag
    if (!drag) return
    if (place === null ? drag.over === null : drag.over !== null && this.#view.same(place, drag.over)) return
    const room = place === null ? null : this.#view.roomAt(place)
    const verdict = room ? this.#view.canDrop(drag.stay, drag.from, room) : null
    drag.over = room ? place : null
    drag.verdict = verdict
    this.mark(room ? place : null, verdict)
    if (room && verdict) this.#say(announceOver(room, verdict))
  }

  /** Marks the element at `place` with `verdict`, and unmarks the one marked before. */
  mark(place: Place | null, verdict: DropVerdict | null): void {
    this.#marked?.classList.remove('drop-ok', 'drop-no')
    this.#marked = place === null ? null : this.#view.element(place)
    this.#marked?.classList.add(verdict?.ok ? 'drop-ok' : 'drop-no')
  }

  /** Ends the drag: with `drop`, the stay is dropped where it is; otherwise it stays put. */
  end(drop: boolean): void {
    const drag = this.drag
    if (!drag) return
    if (this.#edgeScroll) cancelAnimationFrame(this.#scrolling)
    const { stay, from, origin, over, verdict } = drag
    if (this.#markSource) this.#view.element(origin)?.classList.remove('drag-source')
    this.mark(null, null)
    this.drag = null
    const to = over === null ? null : this.#view.roomAt(over)
    if (drop && to && verdict?.ok) this.#view.drop(stay, from, to)
    else if (drop && to && verdict && to.space_id !== from.space_id) this.#say(announceRefusedDrop(to, verdict))
    else this.#say(announceCancel(stay, from))
  }

  /** The window's `pointermove`. */
  pointerMove(event: PointerEvent): void {
    const pressed = this.#pressed
    if (pressed && !this.drag && event.pointerId === pressed.id) {
      if (Math.hypot(event.clientX - pressed.x, event.clientY - pressed.y) < DRAG_DISTANCE) return
      this.#start(pressed.stay, pressed.from, pressed.origin, 'pointer', event.clientX, event.clientY)
    }
    const drag = this.drag
    if (drag?.mode !== 'pointer') return
    event.preventDefault()
    drag.x = event.clientX
    drag.y = event.clientY
    this.hover(this.#view.placeAt(event.clientX, event.clientY))
  }

  /** The window's `pointerup`: drops a stay dragged by the mouse. */
  pointerUp(event: PointerEvent): void {
    if (this.#pressed?.id !== event.pointerId) return
    this.#pressed = null
    if (this.drag?.mode === 'pointer') {
      this.#clickSuppressed = true
      setTimeout(() => (this.#clickSuppressed = false), 0)
      this.end(true)
    }
  }

  /** The window's `pointercancel`. */
  pointerCancel(): void {
    this.end(false)
  }

  /** The window's `keydown`: Escape puts back a stay dragged by the mouse. */
  windowKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.drag?.mode === 'pointer') {
      event.preventDefault()
      this.#pressed = null
      this.end(false)
    }
  }

  /** While the mouse drags a stay near the window's top or bottom, the page scrolls (the room
   * wanted may be many floors away). */
  #scroll = (): void => {
    const drag = this.drag
    if (drag?.mode !== 'pointer') return
    const distance =
      drag.y < SCROLL_EDGE ? drag.y - SCROLL_EDGE : drag.y > innerHeight - SCROLL_EDGE ? drag.y - (innerHeight - SCROLL_EDGE) : 0
    if (distance !== 0) {
      window.scrollBy(0, Math.round(distance / 2))
      this.hover(this.#view.placeAt(drag.x, drag.y))
    }
    this.#scrolling = requestAnimationFrame(this.#scroll)
  }
}
