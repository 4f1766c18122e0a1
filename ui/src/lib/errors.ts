// What to do next after a refusal, for the error types the front desk uses. The message of a
// WireError already says what happened (in the guide's words for rule errors); this adds the
// next step where the type alone tells it.

import { AppError, IPC_ERROR, type AppErrorType } from './ipc'
import type { ErrorCode } from './types'

/** The encoder's failures (Seam's encoder error types): the receptionist can fix the cause
 * at the encoder and press Retry. */
export const ENCODER_ERRORS: readonly ErrorCode[] = [
  'no_credential_on_encoder',
  'incompatible_card_format',
  'encoder_not_online',
  'encoder_communication_timeout',
  'encoding_interrupted',
  'uncategorized_error',
]

export function isEncoderError(error: AppError): boolean {
  return (ENCODER_ERRORS as readonly AppErrorType[]).includes(error.type)
}

/** Typed by the codes Rust sends: a code it does not send fails the build. */
const NEXT_STEPS: Partial<Record<AppErrorType, string>> = {
  no_credential_on_encoder: 'Put a blank key card on the encoder, then press Retry.',
  incompatible_card_format: 'Use one of the hotel’s own key cards, then press Retry.',
  encoder_not_online: 'Check that the encoder is plugged in and switched on, then press Retry.',
  encoder_communication_timeout: 'Press Retry. If it happens again, unplug the encoder, plug it back in and retry.',
  encoding_interrupted: 'Leave the card on the encoder until it is done, then press Retry.',
  uncategorized_error: 'Press Retry. If it happens again, call a manager.',
  forbidden: 'Ask a manager to do this.',
  database_busy: 'Wait a moment, then try again.',
  not_found: 'Someone may have changed it meanwhile: close this and look again.',
  [IPC_ERROR]: 'Try again. If it keeps happening, restart the front desk app.',
}

/** The types a terminal's commands fail with while its link to the property server is down:
 * nothing was changed, or the answer was lost on the way. Their messages say what to do. */
export const LINK_ERRORS: readonly ErrorCode[] = ['server_unreachable', 'server_answer_lost']

/** Whether a command failed because the terminal's link to its server is down (the header
 * says so already: a view reading its data again keeps what it shows). */
export function isLinkDown(error: AppError): boolean {
  return (LINK_ERRORS as readonly AppErrorType[]).includes(error.type)
}

/** The next step for an error, or null when its message says it all. */
export function nextStep(error: AppError): string | null {
  return NEXT_STEPS[error.type] ?? null
}

/** Whether the front desk refused because the room is booked for another reservation over
 * these dates (a 409 `conflict` on the room, or on the dates of a date change): a manager
 * may then send the same request again allowing the overlap. */
export function isRoomBooked(error: AppError | null, field: string): boolean {
  return error?.type === 'conflict' && error.field === field
}

/** The line a form shows next to a field the front desk refused (`field` is snake_case,
 * possibly indexed: `guests[0].full_name`). */
export function fieldProblem(error: AppError | null, field: string): string | undefined {
  if (!error?.field) return undefined
  return error.field === field || error.field.startsWith(`${field}.`) || error.field.startsWith(`${field}[`) ? error.message : undefined
}

/** A refused field's problem in a person's words: the message without the field's name in
 * front of it (the form already says which field), starting with a capital. */
export function fieldSentence(error: AppError | null, field: string): string | undefined {
  const message = fieldProblem(error, field)
  if (message === undefined || !error?.field) return message
  const prefix = `${error.field}: `
  const text = message.startsWith(prefix) ? message.slice(prefix.length) : message
  return text.charAt(0).toUpperCase() + text.slice(1)
}
