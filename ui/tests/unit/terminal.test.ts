import { describe, expect, it } from 'vitest'
import { linkState } from '../../src/lib/terminal'
import type { TerminalStatus } from '../../src/lib/types'

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
