import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FloorBuilder, ROOMS_PER_TASK } from '../../src/lib/floorBuilder.svelte'
import type { BoardFloor } from '../../src/lib/types'
import { room } from './fixtures'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

/** A floor of `count` vacant rooms. */
function floor(number: number, count: number): BoardFloor {
  const rooms = Array.from({ length: count }, (_, index) => room(`${number}${String(index).padStart(3, '0')}`))
  return { floor: number, label: `Floor ${number}`, rooms }
}

// Floors of 150, 100, 120, 30 and 300 rooms.
const floors = [floor(1, 150), floor(2, 100), floor(3, 120), floor(4, 30), floor(5, 300)]

function builder(shown: BoardFloor[] = floors, visible = () => true) {
  const oncomplete = vi.fn()
  const built = new FloorBuilder({ shown: () => shown, all: () => floors, visible, oncomplete })
  return { built, oncomplete }
}

describe('FloorBuilder', () => {
  it('builds a batch of whole floors per task until every floor is built', () => {
    expect(ROOMS_PER_TASK).toBe(200)
    const { built, oncomplete } = builder()
    built.atLeast(1)
    built.rest()
    // 150 rooms were there; floors 2 and 3 bring 220 more.
    expect(built.built).toBe(3)
    expect(built.unfinished).toBe(true)
    vi.runOnlyPendingTimers()
    expect(built.built).toBe(5)
    expect(oncomplete).not.toHaveBeenCalled()
    vi.runOnlyPendingTimers()
    expect(built.built).toBe(5)
    expect(built.unfinished).toBe(false)
    expect(oncomplete).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('never builds fewer floors than it has', () => {
    const { built } = builder()
    built.atLeast(3)
    built.atLeast(2)
    expect(built.built).toBe(3)
  })

  it('counts every floor built once the floors a search leaves are, so that clearing it shows them all', () => {
    const { built, oncomplete } = builder([floors[0], floors[4]])
    built.rest()
    expect(built.built).toBe(2)
    expect(oncomplete).not.toHaveBeenCalled()
    vi.runOnlyPendingTimers()
    expect(built.built).toBe(floors.length)
    expect(oncomplete).toHaveBeenCalledTimes(1)
  })

  it('waits while the floors are hidden, and goes on when asked again', () => {
    let visible = true
    const { built } = builder(floors, () => visible)
    built.rest()
    expect(built.built).toBe(2)
    visible = false
    vi.runOnlyPendingTimers()
    expect(built.built).toBe(2)
    expect(vi.getTimerCount()).toBe(0)
    visible = true
    built.rest()
    // 150 rooms in floors 3 and 4 are too few for a task: floor 5 comes with them.
    expect(built.built).toBe(5)
  })

  it('builds through a floor at once, and never goes back', () => {
    const { built } = builder()
    built.through(3)
    expect(built.built).toBe(4)
    built.through(1)
    expect(built.built).toBe(4)
  })

  it('builds nothing before the board has loaded', () => {
    const built = new FloorBuilder({ shown: () => [], all: () => null, visible: () => true, oncomplete: vi.fn() })
    built.rest()
    expect(built.built).toBe(0)
    expect(built.unfinished).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops building when told', () => {
    const { built } = builder()
    built.rest()
    built.stop()
    vi.runOnlyPendingTimers()
    expect(built.built).toBe(2)
  })
})
