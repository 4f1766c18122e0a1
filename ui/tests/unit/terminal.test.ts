import { describe, expect, it } from 'vitest'
import { linkState, withTerminal } from '../../src/lib/terminal'
import type { TerminalStatus, TerminalView } from '../../src/lib/types'

const desk2: TerminalStatus = {
  property_name: 'Harbor View Hotel',
  terminal_name: 'Desk 2',
  server: '10.0.0.2:8788',
  online: true,
  problem: null,
}

describe('the link in the header', () => {
  it('names the terminal and says the server is connected', () => {
    expect(linkState(desk2)).toEqual({ tone: 'online', words: 'Desk 2 · Connected to the property server', problem: null })
  })

  it('says it is still connecting before the server first answered', () => {
    expect(linkState({ ...desk2, online: false })).toMatchObject({
      tone: 'connecting',
      words: 'Desk 2 · Connecting to the property server…',
    })
  })

  it('says the server is out of reach, or refuses the terminal, with why', () => {
    const lost = linkState({ ...desk2, online: false, problem: 'The property server cannot be reached (timed out).' })
    expect(lost).toEqual({
      tone: 'away',
      words: 'Desk 2 · Server unreachable',
      problem: 'The property server cannot be reached (timed out).',
    })
    expect(linkState({ ...desk2, online: false, problem: 'This terminal was revoked.' }).problem).toBe('This terminal was revoked.')
  })
})

describe('the terminals list', () => {
  const terminal = (name: string, revoked: string | null = null): TerminalView => ({
    terminal_id: `id-${name}`,
    name,
    paired_at: '2025-03-01T09:00:00Z',
    revoked_at: revoked,
    last_seen_at: null,
  })

  it('puts a terminal just revoked after the live ones, the others in their order', () => {
    const list = [terminal('Desk 1'), terminal('Desk 2'), terminal('Desk 3'), terminal('Old', '2025-02-01T00:00:00Z')]
    const revoked = terminal('Desk 2', '2025-03-12T15:00:00Z')
    expect(withTerminal(list, revoked).map((t) => [t.name, t.revoked_at !== null])).toEqual([
      ['Desk 1', false],
      ['Desk 3', false],
      ['Desk 2', true],
      ['Old', true],
    ])
  })

  it('adds a terminal it did not list', () => {
    expect(withTerminal([terminal('Desk 1')], terminal('Desk 4')).map((t) => t.name)).toEqual(['Desk 1', 'Desk 4'])
  })
})
