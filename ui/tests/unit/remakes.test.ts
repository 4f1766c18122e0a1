import { describe, expect, it } from 'vitest'
import { offeredRemakes, remadeGuests } from '../../src/lib/remakes'
import type { StayDetail, Trouble } from '../../src/lib/types'

describe('offeredRemakes', () => {
  it('ticks every stay a trouble offers to remake, and only those', () => {
    const troubles: Trouble[] = [
      { message: 'Tom’s cards will be refused.', remake: { reservation_key: 'stay-tom', guests: 'Tom Morrow' } },
      { message: 'Room 203 is booked.', remake: null },
      { message: 'Uma’s cards will be refused.', remake: { reservation_key: 'stay-uma', guests: 'Uma Reyes' } },
    ]
    expect(offeredRemakes(troubles)).toEqual(['stay-tom', 'stay-uma'])
    expect(offeredRemakes([])).toEqual([])
  })
})

describe('remadeGuests', () => {
  it('names a remade stay’s guests, a guest without a name as Guest', () => {
    const stay = { guests: [{ full_name: 'Tom Morrow' }, { full_name: null }] } as unknown as StayDetail
    expect(remadeGuests(stay)).toBe('Tom Morrow and Guest')
  })
})
