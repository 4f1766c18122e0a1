import { describe, expect, it } from 'vitest'
import { csvFileName, staffKeysReport, toCsv, type ReportTable } from '../../src/lib/reports'
import type { StaffAccess } from '../../src/lib/types'

const ZONE = 'Europe/Lisbon'

describe('reports as CSV', () => {
  const table: ReportTable = {
    title: 'Cards still out',
    columns: ['Room', 'Guest', 'Still opens'],
    rows: [
      ['Room 101', 'Ann "Annie" Lee', 'Room 101 door, Lobby'],
      ['Suite 300', 'José Núñez', 'one line\nand another'],
    ],
    empty: '',
  }

  it('quotes what needs quoting, and keeps accents readable to spreadsheets', () => {
    expect(toCsv(table)).toBe(
      '\ufeffRoom,Guest,Still opens\r\n' +
        'Room 101,"Ann ""Annie"" Lee","Room 101 door, Lobby"\r\n' +
        'Suite 300,José Núñez,"one line\nand another"\r\n',
    )
  })

  it('writes a cell a spreadsheet would run as a formula as text', () => {
    const names = { ...table, columns: ['Guest'], rows: [['=HYPERLINK("x")'], ['+1 555'], ['@SUM(A1)'], ['-2']] }
    expect(toCsv(names)).toBe('\ufeffGuest\r\n"\'=HYPERLINK(""x"")"\r\n\'+1 555\r\n\'@SUM(A1)\r\n\'-2\r\n')
  })

  it('names the file by the report and the day', () => {
    expect(csvFileName(table, '2026-12-07')).toBe('cards-still-out-2026-12-07.csv')
    expect(csvFileName({ ...table, title: 'Operators’ actions' }, '2026-12-07')).toBe('operators-actions-2026-12-07.csv')
    expect(csvFileName({ ...table, title: 'What Room 101 door decided' }, '2026-12-07')).toBe('what-room-101-door-decided-2026-12-07.csv')
  })
})

describe('staff keys expiring and expired', () => {
  const person = (name: string, ends: string | null, extra: Partial<StaffAccess> = {}): StaffAccess => ({
    access_grant_id: name,
    full_name: name,
    entrance_ids: [],
    opens: 'Floor 1 (20 rooms)',
    staff_terms: null,
    one_shot: false,
    starts_at: '2026-11-01T08:00:00Z',
    ends_at: ends,
    revoked_at: null,
    cards_state: 'encoded',
    cards: [],
    ...extra,
  })

  it('lists those ending within the week and those ended lately, soonest first', () => {
    const now = '2026-12-07T12:00:00Z'
    const report = staffKeysReport(
      [
        person('Later', '2026-12-20T12:00:00Z'),
        person('Soon', '2026-12-10T12:00:00Z'),
        person('Ended', '2026-12-01T12:00:00Z'),
        person('Long ago', '2026-09-01T12:00:00Z'),
        person('No end', null),
        person('Revoked', '2026-12-08T12:00:00Z', { revoked_at: '2026-12-02T12:00:00Z' }),
        person('Revoked, card out', '2026-12-30T12:00:00Z', {
          revoked_at: '2026-12-03T12:00:00Z',
          cards_state: 'revoked',
          cards: [
            {
              id: 'm1',
              access_grant_id: 'g1',
              mode: 'card',
              copy_number: 1,
              created_at: '2026-11-01T08:00:00Z',
              issued_at: '2026-11-01T08:00:00Z',
              card_id: '04AA',
              is_encoding_required: false,
              revoked_at: '2026-12-03T12:00:00Z',
              collected_at: null,
              lost_at: null,
              warnings: [],
            },
          ],
        }),
        person('Tomorrow', '2026-12-08T11:00:00Z'),
      ],
      now,
      ZONE,
    )
    expect(report.rows.map((row) => [row[0], row[3]])).toEqual([
      ['Ended', 'Expired'],
      ['Tomorrow', 'Expires within a day'],
      ['Soon', 'Expires in 3 days'],
      ['Revoked, card out', 'Revoked, a card not back'],
    ])
    expect(report.rows[0][2]).toBe('1 Dec 2026, 12:00')
  })
})
