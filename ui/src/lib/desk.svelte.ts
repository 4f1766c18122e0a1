// The signed-in desk: the app's info, the session and what every screen shares. One
// instance, imported where needed; the session lives in memory only (a restart signs out).

import { isLanguage, language, setLanguage } from './i18n.svelte'
import { AppError, api } from './ipc'
import type { AppInfo, EncoderState, EncoderView, EntranceView, Language, Session } from './types'

class Desk {
  info = $state<AppInfo | null>(null)
  /** Each encoder's state as last told, by its place in `info.encoders`. */
  encoderStates = $state<(EncoderState | undefined)[]>([])
  /** The place of the encoder the signed-in operator encodes with. */
  chosenEncoder = $state(0)
  session = $state<Session | null>(null)
  /** Whether any operator exists, asked at start-up alongside the app's info so that the
   * sign-in form need not wait for one call after the other; taken by the first sign-in
   * screen, which asks again after that. */
  operatorsExist: Promise<boolean> | null = null
  /** Why the last session ended, shown on the sign-in screen: a function words it in the
   * operator's language when it is shown. */
  signedOutBecause = $state<string | (() => string) | null>(null)
  #entrances: Promise<EntranceView[]> | null = null
  /** Encoder choices made in this window: a late answer to the sign-in's question does not
   * undo one. */
  #choices = 0

  /** Why the last session ended, in words (null when it was signed out). */
  get signedOutReason(): string | null {
    const reason = this.signedOutBecause
    return typeof reason === 'function' ? reason() : reason
  }

  /** The property's time zone: every date is shown in it. */
  get zone(): string {
    return this.info?.time_zone ?? 'UTC'
  }

  /** The encoder the operator encodes with. */
  get encoderView(): EncoderView | null {
    return this.info?.encoders[this.chosenEncoder] ?? this.info?.encoders[0] ?? null
  }

  /** Its state, as last told. */
  get encoder(): EncoderState | null {
    return this.encoderStates[this.chosenEncoder] ?? this.encoderView?.state ?? null
  }

  /** Whether the operator has encoders to choose from. */
  get severalEncoders(): boolean {
    return (this.info?.encoders.length ?? 0) > 1
  }

  /** Keeps the states of the app's info where no event told a newer one. */
  learnEncoders(info: AppInfo): void {
    info.encoders.forEach((encoder, place) => {
      this.encoderStates[place] ??= encoder.state
    })
  }

  get token(): string {
    if (!this.session) throw new Error('not signed in')
    return this.session.token
  }

  /** A terminal of a property server, rather than a standalone desk with its own database. */
  get isTerminal(): boolean {
    return this.info?.terminal != null
  }

  get isManager(): boolean {
    return this.session?.operator.role === 'manager'
  }

  signedIn(session: Session): void {
    this.session = session
    this.languageProblem = null
    // A property server older than the desk tells no language: the desk keeps its own.
    if (isLanguage(session.language)) setLanguage(session.language)
    this.signedOutBecause = null
    this.#entrances = null
    this.chosenEncoder = 0
    if (this.severalEncoders) void this.#learnChoice(session.token)
  }

  /** Why the operator's choice of language was not kept, until they choose again. */
  languageProblem = $state<AppError | null>(null)

  /** The signed-in operator's own language from now on, kept for their next sign-ins; when
   * it cannot be kept, the desk goes on in the language it spoke. Before sign-in, only this
   * PC's sign-in screen changes. */
  async chooseLanguage(next: Language): Promise<void> {
    const session = this.session
    if (!session) return setLanguage(next)
    const before = language()
    setLanguage(next)
    this.languageProblem = null
    // One save at a time, in the order chosen: two quick choices are kept as the last one.
    const saving = this.#languageSaves.then(() => api.setMyLanguage(session.token, next))
    this.#languageSaves = saving.catch(() => undefined)
    try {
      await saving
      session.language = next
    } catch (reason) {
      if (this.session === session && language() === next) {
        setLanguage(before)
        this.languageProblem = AppError.from(reason)
      }
    }
  }

  #languageSaves: Promise<unknown> = Promise.resolve()

  /** Asks which encoder the operator of `token` encodes with (once more after a failure),
   * unless they choose one meanwhile. */
  async #learnChoice(token: string, tries = 2): Promise<void> {
    const asked = this.#choices
    try {
      const place = await api.chosenEncoder(token)
      if (this.session?.token === token && this.#choices === asked) this.chosenEncoder = place
    } catch {
      if (tries > 1 && this.session?.token === token) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        await this.#learnChoice(token, tries - 1)
      }
    }
  }

  /** Encodes with the encoder at `place` from now on. */
  async chooseEncoder(place: number): Promise<void> {
    this.#choices += 1
    this.chosenEncoder = await api.chooseEncoder(this.token, place)
  }

  signedOut(reason: string | (() => string) | null = null): void {
    this.chosenEncoder = 0
    this.session = null
    this.signedOutBecause = reason
    this.#entrances = null
  }

  /** Every entrance, fetched once per session (door names for stays, the simulator, staff). */
  entrances(): Promise<EntranceView[]> {
    if (!this.#entrances) {
      this.#entrances = api.entrances(this.token)
      this.#entrances.catch(() => (this.#entrances = null))
    }
    return this.#entrances
  }
}

export const desk = new Desk()

/** Door names by id. */
export function doorNames(entrances: EntranceView[]): Map<string, string> {
  // A lookup built whole, never changed: no reactivity needed.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  return new Map(entrances.map((entrance) => [entrance.acs_entrance_id, entrance.name]))
}
