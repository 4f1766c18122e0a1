import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { findRoom } from '../../src/lib/board'
import { canDropStay } from '../../src/lib/dnd'
import { DRAG_DISTANCE, StayDrag } from '../../src/lib/stayDrag.svelte'
import type { RoomTile, StaySummary } from '../../src/lib/types'
import { board } from './fixtures'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

const b = board()
const at = (key: string) => findRoom(b, `space-${key}`)!
const ana = at('101').stays[0]

/** An element's classes, as far as the drag touches them. */
class Marks {
  readonly classes = new Set<string>()
  readonly classList = {
    add: (...names: string[]) => names.forEach((name) => this.classes.add(name)),
    remove: (...names: string[]) => names.forEach((name) => this.classes.delete(name)),
  }
}

/** The board as a row of tiles: room `keys[i]` lies at x = 100 × i. */
function setup(keys = ['101', '102', '202', 'lobby']) {
  const tiles = new Map(keys.map((key) => [key, new Marks()]))
  const said: string[] = []
  const drop = vi.fn()
  const drag = new StayDrag<StaySummary, RoomTile, RoomTile>(
    {
      placeAt: (x) => (keys[x / 100] ? at(keys[x / 100]) : null),
      roomAt: (room) => room,
      same: (room, other) => room.space_id === other.space_id,
      element: (room) => (tiles.get(room.key) ?? null) as unknown as Element,
      canDrop: (stay, _from, to) => canDropStay(stay, to, b),
      drop,
    },
    { markSource: true, say: (text) => said.push(text) },
  )
  const marks = (key: string) => [...tiles.get(key)!.classes]
  return { drag, said, drop, marks }
}

function pointer(x: number, y = 0, extra: Partial<PointerEvent> = {}): PointerEvent {
  return { button: 0, pointerId: 1, clientX: x, clientY: y, preventDefault: vi.fn(), ...extra } as unknown as PointerEvent
}

describe('StayDrag with the mouse', () => {
  it('takes a press that moves less than a few pixels for a click', () => {
    const { drag, said } = setup()
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(DRAG_DISTANCE - 1))
    expect(drag.drag).toBeNull()
    expect(said).toEqual([])
    drag.pointerUp(pointer(DRAG_DISTANCE - 1))
    expect(drag.clickSuppressed).toBe(false)
  })

  it('picks the stay up once the pointer moves away, and marks where it came from', () => {
    const { drag, said, marks } = setup()
    drag.press(pointer(0), ana, at('101'), at('101'))
    const move = pointer(100, 5)
    drag.pointerMove(move)
    expect(drag.drag).toMatchObject({ mode: 'pointer', x: 100, y: 5 })
    expect(move.preventDefault).toHaveBeenCalled()
    expect(marks('101')).toEqual(['drag-source'])
    expect(said[0]).toMatch(/^Picked up the stay of Ana Silva and Ben Silva in Room 101\./)
  })

  it('marks the room under the stay with its verdict, and says it once', () => {
    const { drag, said, marks } = setup()
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(100))
    expect(marks('102')).toEqual(['drop-ok'])
    expect(said.at(-1)).toBe('Over Room 102. Drop here to move the stay.')
    drag.pointerMove(pointer(100, 3))
    expect(said).toHaveLength(2)
    drag.pointerMove(pointer(200))
    expect(marks('102')).toEqual([])
    expect(marks('202')).toEqual(['drop-no'])
    expect(said.at(-1)).toBe('Over Room 202. Cannot move here: Room 202 has an overlapping stay (José Núñez).')
    drag.pointerMove(pointer(1000))
    expect(marks('202')).toEqual([])
    expect(drag.drag?.over).toBeNull()
  })

  it('drops on a room that takes the stay: the view confirms the move, and the click that comes with it opens nothing', () => {
    const { drag, drop, marks } = setup()
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(100))
    drag.pointerUp(pointer(100))
    expect(drop).toHaveBeenCalledWith(ana, at('101'), at('102'))
    expect(drag.drag).toBeNull()
    expect(marks('101')).toEqual([])
    expect(marks('102')).toEqual([])
    expect(drag.clickSuppressed).toBe(true)
    vi.runAllTimers()
    expect(drag.clickSuppressed).toBe(false)
  })

  it('says why a room refuses the stay when it is dropped there', () => {
    const { drag, drop, said } = setup()
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(300))
    drag.pointerUp(pointer(300))
    expect(drop).not.toHaveBeenCalled()
    expect(said.at(-1)).toBe('The stay was not moved to Lobby: Lobby is a common area, not a room.')
  })

  it('puts the stay back when it is dropped on its own room or on nothing', () => {
    const { drag, said } = setup()
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(100))
    drag.pointerMove(pointer(0))
    drag.pointerUp(pointer(0))
    expect(said.at(-1)).toBe('Move cancelled. The stay of Ana Silva and Ben Silva stays in Room 101.')
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(1000))
    drag.pointerUp(pointer(1000))
    expect(said.at(-1)).toBe('Move cancelled. The stay of Ana Silva and Ben Silva stays in Room 101.')
  })

  it('cancels with Escape; the release after it drops nothing', () => {
    const { drag, drop, said } = setup()
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(100))
    const escape = { key: 'Escape', preventDefault: vi.fn() } as unknown as KeyboardEvent
    drag.windowKey(escape)
    expect(escape.preventDefault).toHaveBeenCalled()
    expect(drag.drag).toBeNull()
    expect(said.at(-1)).toMatch(/^Move cancelled/)
    drag.pointerUp(pointer(100))
    expect(drop).not.toHaveBeenCalled()
    expect(drag.clickSuppressed).toBe(false)
  })

  it('ignores another button, another pointer and a press during a drag', () => {
    const { drag } = setup()
    drag.press(pointer(0, 0, { button: 2 }), ana, at('101'), at('101'))
    drag.pointerMove(pointer(100))
    expect(drag.drag).toBeNull()
    drag.press(pointer(0), ana, at('101'), at('101'))
    drag.pointerMove(pointer(100, 0, { pointerId: 2 }))
    expect(drag.drag).toBeNull()
    drag.pointerMove(pointer(100))
    const jose = at('202').stays[0]
    drag.press(pointer(200), jose, at('202'), at('202'))
    expect(drag.drag?.stay).toEqual(ana)
  })
})

describe('StayDrag with the keyboard', () => {
  it('carries the stay where the view steers it and drops it there', () => {
    const { drag, drop, said, marks } = setup()
    drag.pickUp(ana, at('101'), at('101'))
    expect(drag.drag?.mode).toBe('keyboard')
    expect(said[0]).toMatch(/^Picked up/)
    drag.hover(at('202'))
    drag.hover(at('102'))
    expect(marks('202')).toEqual([])
    expect(marks('102')).toEqual(['drop-ok'])
    drag.end(true)
    expect(drop).toHaveBeenCalledWith(ana, at('101'), at('102'))
  })

  it('puts the stay back when the view ends the carry without a drop', () => {
    const { drag, drop, said, marks } = setup()
    drag.pickUp(ana, at('101'), at('101'))
    drag.hover(at('102'))
    drag.end(false)
    expect(drop).not.toHaveBeenCalled()
    expect(marks('102')).toEqual([])
    expect(said.at(-1)).toBe('Move cancelled. The stay of Ana Silva and Ben Silva stays in Room 101.')
  })

  it('is not ended by the mouse: Escape in the window and a release leave it to the view', () => {
    const { drag } = setup()
    drag.pickUp(ana, at('101'), at('101'))
    drag.windowKey({ key: 'Escape', preventDefault: vi.fn() } as unknown as KeyboardEvent)
    drag.pointerUp(pointer(0))
    expect(drag.drag?.mode).toBe('keyboard')
  })

  it('marks nothing over a place that takes no stay (a floor’s heading among rows)', () => {
    const rows = [at('101'), null, at('102')]
    const lanes = rows.map(() => new Marks())
    const said: string[] = []
    const drag = new StayDrag<StaySummary, RoomTile, number>(
      {
        placeAt: () => null,
        roomAt: (row) => rows[row] ?? null,
        same: (row, other) => row === other,
        element: (row) => lanes[row] as unknown as Element,
        canDrop: (stay, _from, to) => canDropStay(stay, to, b),
        drop: vi.fn(),
      },
      { say: (text) => said.push(text) },
    )
    drag.pickUp(ana, at('101'), 0)
    expect(lanes[0].classes.size).toBe(0)
    drag.hover(2)
    drag.hover(1)
    expect(drag.drag?.over).toBeNull()
    expect(lanes.map((lane) => lane.classes.size)).toEqual([0, 0, 0])
    expect(said).toHaveLength(2)
    drag.end(true)
    expect(said.at(-1)).toMatch(/^Move cancelled/)
  })
})
