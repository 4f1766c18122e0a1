import { describe, expect, it } from 'vitest'
import type { WarningView } from '../../src/lib/types'
import { warningKeys } from '../../src/lib/warnings'

describe('warning keys', () => {
  const warning = (code: WarningView['code'], grant: string, method: string | null = null): WarningView => ({
    access_grant_id: grant,
    access_method_id: method,
    code,
    message: '',
    created_at: '2025-03-12T10:00:00Z',
    reservation_key: null,
    guest: null,
    fix: 'none',
    outstanding_card_ids: [],
    cards_out: [],
  })

  it('keys each warning by what it is about, the same from one read to the next', () => {
    const a = warning('encoding_required', 'g1', 'm1')
    const b = warning('sequence_inversion', 'g2')
    expect(warningKeys([a, b])).toEqual(['encoding_required:g1:m1', 'sequence_inversion:g2:'])
    expect(warningKeys([b])).toEqual(['sequence_inversion:g2:'])
  })

  it('numbers a second warning about the same thing', () => {
    const a = warning('cards_not_collected', 'g1')
    expect(new Set(warningKeys([a, a, a])).size).toBe(3)
  })
})
