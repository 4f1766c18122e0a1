import { describe, expect, it } from 'vitest'
import { findRoom } from '../../src/lib/board'
import {
  announceCancel,
  announceOver,
  announcePickUp,
  announceRefusedDrop,
  canDropStay,
  dropTargets,
  movedFrame,
  preMoveSentence,
} from '../../src/lib/dnd'
import { NOW, board, room, stay } from './fixtures'

const b = board()
const ana = b.floors[0].rooms[0].stays[0]
const at = (key: string) => findRoom(b, `space-${key}`)!

describe('canDropStay', () => {
  it('accepts a vacant room', () => {
    expect(canDropStay(ana, at('102'), b)).toEqual({ ok: true })
    expect(canDropStay(ana, at('201'), b)).toEqual({ ok: true })
  })

  it('refuses the stay’s own room', () => {
    expect(canDropStay(ana, at('101'), b)).toEqual({ ok: false, reason: 'the stay is already in Room 101' })
  })

  it('refuses a common area', () => {
    expect(canDropStay(ana, at('lobby'), b)).toEqual({ ok: false, reason: 'Lobby is a common area, not a room' })
  })

  it('refuses a room with an overlapping stay', () => {
    const verdict = canDropStay(ana, at('202'), b)
    expect(verdict).toEqual({ ok: false, reason: 'Room 202 has an overlapping stay (José Núñez)' })
    // Dee arrives at 18:00 today, before Ana leaves on the 14th.
    expect(canDropStay(ana, at('104'), b).ok).toBe(false)
  })

  it('refuses a vacant room whose next arrival comes before the moved stay ends', () => {
    // Ana leaves on the 14th; Tom arrives in 102 tomorrow, Uma in 201 on the 14th after her.
    const tom = stay('stay-tom', ['Tom Morrow'], '2025-03-13T15:00:00Z', '2025-03-15T11:00:00Z')
    expect(canDropStay(ana, room('102', [], { next_arrival: tom }), b)).toEqual({
      ok: false,
      reason: 'Room 102 has an overlapping stay (Tom Morrow)',
    })
    const uma = stay('stay-uma', ['Uma Reyes'], '2025-03-14T15:00:00Z', '2025-03-16T11:00:00Z')
    expect(canDropStay(ana, room('201', [], { next_arrival: uma }), b)).toEqual({ ok: true })
  })

  it('only counts the part of the stay that moves: from now on', () => {
    // Carl left 103 at 11:00 but is not checked out yet: he holds the room until now only,
    // so a stay moving there from now does not overlap him.
    expect(canDropStay(ana, at('103'), b)).toEqual({ ok: true })
  })

  it('accepts a room whose only stay ends before the moved stay starts', () => {
    const later = stay('stay-later', ['Lee'], '2025-03-20T15:00:00Z', '2025-03-22T11:00:00Z')
    const target = room('301', [stay('stay-x', ['X'], '2025-03-12T12:00:00Z', '2025-03-20T11:00:00Z')])
    expect(canDropStay(later, target, b)).toEqual({ ok: true })
    // Back to back: ends exactly when the other starts.
    const touching = room('302', [stay('stay-y', ['Y'], '2025-03-22T11:00:00Z', '2025-03-25T11:00:00Z')])
    expect(canDropStay(later, touching, b)).toEqual({ ok: true })
  })

  it('refuses a stay that has already ended', () => {
    const carl = b.floors[0].rooms[2].stays[0]
    expect(canDropStay(carl, at('102'), b)).toEqual({ ok: false, reason: 'the stay has ended; check it out instead' })
  })

  it('refuses a room that already lists the stay even when the board has it elsewhere', () => {
    const target = room('401', [ana])
    expect(canDropStay(ana, target, b).ok).toBe(false)
  })
})

describe('movedFrame', () => {
  it('starts now for an in-house stay and at its start for a future one', () => {
    expect(movedFrame(ana, NOW)).toEqual({ starts_at: NOW, ends_at: ana.ends_at })
    const dee = b.floors[0].rooms[3].stays[0]
    expect(movedFrame(dee, NOW)).toEqual({ starts_at: dee.starts_at, ends_at: dee.ends_at })
  })

  it('moves a stay with no end from now, still with no end', () => {
    expect(movedFrame({ ...ana, ends_at: null }, NOW)).toEqual({ starts_at: NOW, ends_at: null })
  })
})

describe('dropTargets', () => {
  it('lists every room that accepts the stay, in board order', () => {
    expect(dropTargets(ana, b).map((r) => r.key)).toEqual(['102', '103', '201'])
  })
})

describe('announcements', () => {
  it('say what happens in plain words', () => {
    expect(announcePickUp(ana, at('101'))).toMatch(/^Picked up the stay of Ana Silva and Ben Silva in Room 101\./)
    expect(announceOver(at('102'), { ok: true })).toBe('Over Room 102. Drop here to move the stay.')
    expect(announceOver(at('lobby'), canDropStay(ana, at('lobby'), b))).toBe(
      'Over Lobby. Cannot move here: Lobby is a common area, not a room.',
    )
    expect(announceCancel(ana, at('101'))).toBe('Move cancelled. The stay of Ana Silva and Ben Silva stays in Room 101.')
    expect(announceRefusedDrop(at('202'), canDropStay(ana, at('202'), b))).toBe(
      'The stay was not moved to Room 202: Room 202 has an overlapping stay (José Núñez).',
    )
  })

  it('says before the move which old cards keep opening the old door', () => {
    expect(preMoveSentence(['Ana Silva'], 'Room 101', 'Room 102', 2)).toBe(
      "Ana Silva will move from Room 101 to Room 102. The 2 cards already made for Room 101 will keep opening Room 101 until collected or cancelled (a cancel card or the next guest's card used at that door); new cards for Room 102 are made next.",
    )
    expect(preMoveSentence(['Ana Silva'], 'Room 101', 'Room 102', 1)).toContain('The 1 card already made')
    expect(preMoveSentence(['Ana Silva'], 'Room 101', 'Room 102', 0)).toContain('No card has been made yet')
  })
})
