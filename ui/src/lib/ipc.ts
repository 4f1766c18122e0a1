// The one way the UI talks to the Rust side. Commands go through `call`, which turns a
// rejection into an `AppError`; events through the `on…` helpers. The types come from
// ./bindings (generated from the Rust types; see src-tauri/src/bindings.rs).

import { invoke, type InvokeArgs } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import type {
  CardView,
  AddGuest,
  DoorLogEntry,
  DoorPrivacy,
  StaffTerms,
  ApiStatus,
  AppInfo,
  BackupSchedule,
  BackupStatus,
  PmsLinkSettings,
  PmsLinkStatus,
  PmsLinkView,
  AuditView,
  AuditQuery,
  Board,
  CardOut,
  CardReport,
  CheckIn,
  GroupCheckIn,
  SpareCardView,
  SpareHandedOut,
  CheckInOptions,
  CheckOutResult,
  EncodeEvent,
  EncodedCard,
  EncoderStateChange,
  EntranceView,
  ErrorCode,
  FoundStay,
  LockDecision,
  MoveResult,
  Operator,
  Language,
  OperatorView,
  PastStay,
  PlannedChange,
  Prediction,
  Role,
  Session,
  SimulatedCardView,
  StaffAccess,
  StaffChange,
  StaffDoorChoices,
  StayDetail,
  TerminalStatus,
  TerminalView,
  Timeline,
  WarningView,
  WireError,
} from './types'

/** The `type` of errors that did not come from the front desk but from the IPC itself
 * (unknown command, missing permission, a bug in the shell). */
export const IPC_ERROR = 'ipc_error'

/** What an AppError's `type` can be: the front desk's codes, or the IPC's own failure. */
export type AppErrorType = ErrorCode | typeof IPC_ERROR

/** A command's failure, as the front desk described it (`frontdesk::WireError`). Match on
 * `type`; show `title` (when present) and `message` to people. */
export class AppError extends Error {
  readonly type: AppErrorType
  readonly title: string | undefined
  readonly field: string | undefined
  readonly problems: string[]
  /** For too many wrong PINs: the seconds until the name may try again. */
  readonly retryAfterSeconds: number | undefined

  constructor(wire: Omit<WireError, 'type'> & { type: AppErrorType }) {
    super(wire.message)
    this.name = 'AppError'
    this.type = wire.type
    this.title = wire.title
    this.field = wire.field
    this.problems = wire.problems ?? []
    this.retryAfterSeconds = wire.retry_after_seconds
  }

  /** Whatever a command rejected with, as an AppError. */
  static from(reason: unknown): AppError {
    if (reason instanceof AppError) return reason
    if (isWireError(reason)) return new AppError(reason)
    const message = typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'The app did not answer as expected.'
    return new AppError({ type: IPC_ERROR, message })
  }
}

function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return typeof candidate.type === 'string' && typeof candidate.message === 'string'
}

/** The `type` the shell rejects a command with when its session token is unknown or has
 * expired (and sign-in with when the name and PIN do not match). */
export const UNAUTHORIZED: ErrorCode = 'unauthorized'

let sessionEnded: ((error: AppError) => void) | undefined

/** Calls `handler` when a command that carried a session token is refused as unauthorized:
 * the session has ended and the operator must sign in again. Returns a function that stops. */
export function onSessionEnded(handler: (error: AppError) => void): () => void {
  sessionEnded = handler
  return () => {
    if (sessionEnded === handler) sessionEnded = undefined
  }
}

/** Invokes a command; a rejection becomes an AppError. */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (reason) {
    const error = AppError.from(reason)
    if (error.type === UNAUTHORIZED && hasToken(args)) sessionEnded?.(error)
    throw error
  }
}

function hasToken(args: InvokeArgs | undefined): boolean {
  return typeof args === 'object' && args !== null && 'token' in args
}

/** The commands, typed. One line each, like the Rust side. Arguments are camelCase (Tauri
 * renames command parameters); request structs travel whole as `request`, snake_case inside. */
export const api = {
  appInfo: () => call<AppInfo>('app_info'),

  operatorsExist: () => call<boolean>('operators_exist'),
  /** The board's rooms with no one's stays, for the sign-in screen to lay out; no session. */
  boardLayout: () => call<Board>('board_layout'),
  createFirstManager: (name: string, pin: string) => call<Session>('create_first_manager', { name, pin }),
  signIn: (name: string, pin: string) => call<Session>('sign_in', { name, pin }),
  signOut: (token: string) => call<void>('sign_out', { token }),
  listOperators: (token: string) => call<OperatorView[]>('list_operators', { token }),
  createOperator: (token: string, name: string, pin: string, role: Role) => call<Operator>('create_operator', { token, name, pin, role }),
  resetOperatorPin: (token: string, operatorId: string, pin: string) => call<null>('reset_operator_pin', { token, operatorId, pin }),
  setOperatorRole: (token: string, operatorId: string, role: Role) => call<OperatorView>('set_operator_role', { token, operatorId, role }),
  setOperatorEnabled: (token: string, operatorId: string, enabled: boolean) =>
    call<OperatorView>('set_operator_enabled', { token, operatorId, enabled }),
  /** The language the signed-in operator reads the desk in, from now on. */
  setMyLanguage: (token: string, language: Language) => call<null>('set_my_language', { token, language }),

  roomBoard: (token: string) => call<Board>('room_board', { token }),
  /** `days` days of every room from the property-local day `from` (YYYY-MM-DD). */
  timeline: (token: string, from: string, days: number) => call<Timeline>('timeline', { token, from, days }),
  /** Future, current and past stays by guest name, reservation key or room; nearest first. */
  findStays: (token: string, query: string) => call<FoundStay[]>('find_stays', { token, query }),
  stay: (token: string, reservationKey: string) => call<StayDetail>('stay', { token, reservationKey }),
  /** A checked-out stay, read only, with its cards still out. */
  pastStay: (token: string, reservationKey: string) => call<PastStay>('past_stay', { token, reservationKey }),
  /** `day` (YYYY-MM-DD, property-local): a stay arriving that day rather than now. */
  checkInOptions: (token: string, spaceId: string, day?: string) =>
    call<CheckInOptions>('check_in_options', day ? { token, spaceId, day } : { token, spaceId }),
  checkIn: (token: string, request: CheckIn) => call<StayDetail>('check_in', { token, request }),
  checkInGroup: (token: string, request: GroupCheckIn) => call<StayDetail[]>('check_in_group', { token, request }),
  addGuest: (token: string, request: AddGuest) => call<StayDetail>('add_guest', { token, request }),
  duplicateCard: (token: string, accessGrantId: string) => call<CardView>('duplicate_card', { token, accessGrantId }),
  /** `allowOverlap`: a manager's word that the stay may overlap another in the room. */
  moveStay: (token: string, reservationKey: string, toSpaceId: string, allowOverlap = false) =>
    call<MoveResult>('move_stay', { token, reservationKey, toSpaceId, allowOverlap }),
  changeDates: (token: string, reservationKey: string, startsAt: string | null, endsAt: string | null, allowOverlap = false) =>
    call<StayDetail>('change_dates', { token, reservationKey, startsAt, endsAt, allowOverlap }),
  reissueStay: (token: string, reservationKey: string) => call<StayDetail>('reissue_stay', { token, reservationKey }),
  remakeCards: (token: string, reservationKey: string) => call<StayDetail>('remake_cards', { token, reservationKey }),
  predict: (token: string, change: PlannedChange) => call<Prediction>('predict', { token, change }),
  checkOut: (token: string, reservationKey: string) => call<CheckOutResult>('check_out', { token, reservationKey }),
  markCollected: (token: string, accessMethodId: string) => call<CardView>('mark_collected', { token, accessMethodId }),
  reportCardLost: (token: string, accessMethodId: string) => call<CardView>('report_card_lost', { token, accessMethodId }),
  /** A card out of use (the plastic's UID) came back, or will not. */
  cardCollected: (token: string, cardId: string) => call<null>('card_collected', { token, cardId }),
  cardLost: (token: string, cardId: string) => call<null>('card_lost', { token, cardId }),
  roomCardsOut: (token: string, spaceId: string) => call<CardOut[]>('room_cards_out', { token, spaceId }),
  encodeCancelCard: (token: string, entranceIds: string[]) => call<EncodedCard>('encode_cancel_card', { token, entranceIds }),
  makeSpareCard: (token: string, spaceId: string, validUntil: string) =>
    call<EncodedCard>('make_spare_card', { token, spaceId, validUntil }),
  spareCards: (token: string) => call<SpareCardView[]>('spare_cards', { token }),
  handOutSpare: (token: string, request: SpareHandedOut) => call<StayDetail>('hand_out_spare', { token, request }),
  voidSpare: (token: string, spareId: string) => call<null>('void_spare', { token, spareId }),
  encodeLockOutCard: (token: string, entranceIds: string[], lift: boolean) =>
    call<EncodedCard>('encode_lock_out_card', { token, entranceIds, lift }),

  encodeCards: (token: string, accessMethodIds: string[]) => call<EncodedCard[]>('encode_cards', { token, accessMethodIds }),
  readCard: (token: string) => call<CardReport>('read_card', { token }),
  entrances: (token: string) => call<EntranceView[]>('entrances', { token }),
  simulatorCards: (token: string) => call<SimulatedCardView[]>('simulator_cards', { token }),
  /** Where a desk has several encoders: the one the signed-in operator encodes with (its
   * place in `AppInfo.encoders`), and choosing another. */
  chosenEncoder: (token: string) => call<number>('chosen_encoder', { token }),
  chooseEncoder: (token: string, encoder: number) => call<number>('choose_encoder', { token, encoder }),
  plugSimulatedEncoder: (token: string, plugged: boolean) => call<null>('plug_simulated_encoder', { token, plugged }),
  presentCard: (token: string, entranceId: string, cardId: string, at: string | null) =>
    call<LockDecision>('present_card', { token, entranceId, cardId, at }),
  doorPrivacy: (token: string, entranceId: string) => call<DoorPrivacy>('door_privacy', { token, entranceId }),
  doorLog: (token: string, entranceId: string, limit: number) => call<DoorLogEntry[]>('door_log', { token, entranceId, limit }),
  saveReport: (token: string, fileName: string, csv: string) => call<string>('save_report', { token, fileName, csv }),
  setPrivacy: (token: string, entranceId: string, on: boolean, at: string | null) =>
    call<DoorPrivacy>('set_privacy', { token, entranceId, on, at }),

  warnings: (token: string) => call<WarningView[]>('warnings', { token }),
  auditLog: (token: string, query: AuditQuery) => call<AuditView[]>('audit_log', { token, query }),
  staffAccess: (token: string) => call<StaffAccess[]>('staff_access', { token }),
  issueStaffAccess: (
    token: string,
    fullName: string,
    entranceIds: string[],
    startsAt: string,
    endsAt: string,
    terms: StaffTerms | null,
    oneShot = false,
  ) => call<StaffAccess>('issue_staff_access', { token, fullName, entranceIds, startsAt, endsAt, terms, oneShot }),
  staffDoorChoices: (token: string) => call<StaffDoorChoices>('staff_door_choices', { token }),
  updateStaffAccess: (token: string, change: StaffChange) => call<StaffAccess>('update_staff_access', { token, change }),
  /** The revoked entry while its card is out, else null. */
  revokeStaffAccess: (token: string, accessGrantId: string) => call<StaffAccess | null>('revoke_staff_access', { token, accessGrantId }),
  deleteStaffAccess: (token: string, accessGrantId: string) => call<null>('delete_staff_access', { token, accessGrantId }),
  reportStaffCardLost: (token: string, accessMethodId: string) => call<CardView>('report_staff_card_lost', { token, accessMethodId }),
  /** The property's terminals (a manager's), revoked ones last. */
  terminals: (token: string) => call<TerminalView[]>('terminals', { token }),
  revokeTerminal: (token: string, terminalId: string) => call<TerminalView>('revoke_terminal', { token, terminalId }),
  apiStatus: (token: string) => call<ApiStatus>('api_status', { token }),
  setApiEnabled: (token: string, enabled: boolean) => call<ApiStatus>('set_api_enabled', { token, enabled }),
  /** The PMS's key link (FIAS) at a standalone desk: as set up, and how it stands. */
  pmsLink: (token: string) => call<PmsLinkView>('pms_link', { token }),
  pmsLinkStatus: (token: string) => call<PmsLinkStatus | null>('pms_link_status', { token }),
  setPmsLink: (token: string, settings: PmsLinkSettings) => call<PmsLinkView>('set_pms_link', { token, settings }),
  /** Backups of a standalone desk. */
  backupStatus: (token: string) => call<BackupStatus>('backup_status', { token }),
  setBackupPassword: (token: string, password: string) => call<BackupStatus>('set_backup_password', { token, password }),
  setBackupSchedule: (token: string, schedule: BackupSchedule | null) => call<BackupStatus>('set_backup_schedule', { token, schedule }),
  backUpNow: (token: string) => call<BackupStatus>('back_up_now', { token }),
  /** On the first screen: checks the backup and its password, then the app closes and starts
   * again restoring it. Answers the backup's property. */
  restoreBackup: (file: string, password: string) => call<string>('restore_backup', { file, password }),
}

/** The event names the Rust side emits (src-tauri/src/lib.rs). */
export const EVENTS = {
  encoderState: 'encoder-state',
  encodeProgress: 'encode-progress',
  deskChanged: 'desk-changed',
  serverConnection: 'server-connection',
} as const

/** Calls `handler` with each step of a running `encode_cards`. */
export function onEncodeProgress(handler: (event: EncodeEvent) => void): Promise<UnlistenFn> {
  return listen<EncodeEvent>(EVENTS.encodeProgress, (event) => handler(event.payload))
}

/** Calls `handler` with each change of an encoder's state. */
export function onEncoderState(handler: (change: EncoderStateChange) => void): Promise<UnlistenFn> {
  return listen<EncoderStateChange>(EVENTS.encoderState, (event) => handler(event.payload))
}

/** Calls `handler` whenever the property changed somewhere (this desk, another terminal, the
 * property-management system, the server's tools), with the change counter. */
export function onDeskChanged(handler: (version: number) => void): Promise<UnlistenFn> {
  return listen<number>(EVENTS.deskChanged, (event) => handler(event.payload))
}

/** Calls `handler` with each change of a terminal's link to its property server. */
export function onServerConnection(handler: (status: TerminalStatus) => void): Promise<UnlistenFn> {
  return listen<TerminalStatus>(EVENTS.serverConnection, (event) => handler(event.payload))
}
