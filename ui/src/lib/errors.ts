// What to do next after a refusal, for the error types the front desk uses. The message of a
// WireError already says what happened (in the guide's words for rule errors); this adds the
// next step where the type alone tells it.

import { t } from './i18n.svelte'
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

/** A next step's key in the catalogue (desk:error.nextStep). */
type NextStep =
  | 'noCredentialOnEncoder'
  | 'incompatibleCardFormat'
  | 'encoderNotOnline'
  | 'encoderCommunicationTimeout'
  | 'encodingInterrupted'
  | 'uncategorizedError'
  | 'forbidden'
  | 'databaseBusy'
  | 'notFound'
  | 'ipcError'

/** Typed by the codes Rust sends: a code it does not send fails the build. */
const NEXT_STEPS: Partial<Record<AppErrorType, NextStep>> = {
  no_credential_on_encoder: 'noCredentialOnEncoder',
  incompatible_card_format: 'incompatibleCardFormat',
  encoder_not_online: 'encoderNotOnline',
  encoder_communication_timeout: 'encoderCommunicationTimeout',
  encoding_interrupted: 'encodingInterrupted',
  uncategorized_error: 'uncategorizedError',
  forbidden: 'forbidden',
  database_busy: 'databaseBusy',
  not_found: 'notFound',
  [IPC_ERROR]: 'ipcError',
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
  const key = NEXT_STEPS[error.type]
  return key ? t(`desk:error.nextStep.${key}`) : null
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
