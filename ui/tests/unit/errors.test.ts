import { describe, expect, it } from 'vitest'
import { ENCODER_ERRORS, fieldProblem, fieldSentence, isEncoderError, isLinkDown, isRoomBooked, nextStep } from '../../src/lib/errors'
import { AppError } from '../../src/lib/ipc'

describe('next steps', () => {
  it('tells the receptionist what to do about each encoder failure', () => {
    for (const type of ENCODER_ERRORS) {
      const error = new AppError({ type, message: 'The encoder says no.' })
      expect(isEncoderError(error)).toBe(true)
      expect(nextStep(error)).toMatch(/Retry/)
    }
    expect(nextStep(new AppError({ type: 'no_credential_on_encoder', message: '' }))).toBe(
      'Put a blank key card on the encoder, then press Retry.',
    )
  })

  it('adds nothing where the message says it all', () => {
    const rule = new AppError({
      type: 'reservation_joiner_entrance_set_conflict',
      title: 'Reservation joiner entrance set conflict.',
      message: 'Another stay holds the room.',
    })
    expect(isEncoderError(rule)).toBe(false)
    expect(nextStep(rule)).toBeNull()
    expect(nextStep(new AppError({ type: 'forbidden', message: '' }))).toBe('Ask a manager to do this.')
  })

  it('knows a terminal’s lost link, whose message says it all', () => {
    for (const type of ['server_unreachable', 'server_answer_lost'] as const) {
      const error = new AppError({ type, message: 'The property server cannot be reached.' })
      expect(isLinkDown(error)).toBe(true)
      expect(nextStep(error)).toBeNull()
    }
    expect(isLinkDown(new AppError({ type: 'not_found', message: '' }))).toBe(false)
  })

  it('finds a refused field, indexed or nested', () => {
    const error = new AppError({ type: 'invalid_input', message: 'a guest needs a name', field: 'guests[0].full_name' })
    expect(fieldProblem(error, 'guests[0].full_name')).toBe('a guest needs a name')
    expect(fieldProblem(error, 'guests')).toBe('a guest needs a name')
    expect(fieldProblem(error, 'guests[1].full_name')).toBeUndefined()
    expect(fieldProblem(null, 'guests')).toBeUndefined()
  })

  it('says a refused field’s problem without the field’s name', () => {
    const error = new AppError({
      type: 'invalid_input',
      message:
        'acs_entrance_ids: a staff card carries at most 12 doors and 20 were chosen; choose fewer doors, or make a second card for the rest.',
      field: 'acs_entrance_ids',
    })
    expect(fieldSentence(error, 'acs_entrance_ids')).toBe(
      'A staff card carries at most 12 doors and 20 were chosen; choose fewer doors, or make a second card for the rest.',
    )
    expect(fieldSentence(error, 'starts_at')).toBeUndefined()
    expect(fieldSentence(null, 'acs_entrance_ids')).toBeUndefined()
  })

  it('tells a room booked for another stay from other refusals', () => {
    const booked = new AppError({ type: 'conflict', message: 'Room 203 is booked for Tom Morrow …', field: 'space_id' })
    expect(isRoomBooked(booked, 'space_id')).toBe(true)
    expect(isRoomBooked(booked, 'to_space_id')).toBe(false)
    expect(isRoomBooked(new AppError({ type: 'conflict', message: 'taken', field: 'name' }), 'space_id')).toBe(false)
    expect(isRoomBooked(new AppError({ type: 'forbidden', message: 'no', field: 'space_id' }), 'space_id')).toBe(false)
    expect(isRoomBooked(null, 'space_id')).toBe(false)
  })
})
