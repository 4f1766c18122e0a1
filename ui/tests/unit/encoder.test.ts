import { describe, expect, it } from 'vitest'
import { encoderLabel } from '../../src/lib/encoder'

describe('encoderLabel', () => {
  it('names each state', () => {
    expect(encoderLabel('simulated', true)).toBe('Simulated')
    expect(encoderLabel('connected', false)).toBe('Encoder ready')
    expect(encoderLabel('busy', false)).toBe('Encoder busy')
    expect(encoderLabel('busy', true)).toBe('Simulated: busy')
    expect(encoderLabel('disconnected', false)).toBe('No encoder')
  })
})
