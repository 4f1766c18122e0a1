// The desk's words in the operator's language. Every string a person reads comes from the
// catalogues in src/locales/<language>/<area>.json, one file per area of the desk; English is
// the source and each other language has the same keys (tests/unit/catalogues.test.ts).
// Dates are worded by the catalogues too (common.json's months, weekdays and patterns), so a
// date reads the same in every WebView whatever its ICU data.
import i18next, { type TFunction } from 'i18next'
import enBoard from '../locales/en/board.json'
import enCommon from '../locales/en/common.json'
import enDesk from '../locales/en/desk.json'
import enManager from '../locales/en/manager.json'
import enStay from '../locales/en/stay.json'
import esBoard from '../locales/es/board.json'
import esCommon from '../locales/es/common.json'
import esDesk from '../locales/es/desk.json'
import esManager from '../locales/es/manager.json'
import esStay from '../locales/es/stay.json'

const english = { common: enCommon, board: enBoard, stay: enStay, manager: enManager, desk: enDesk }

/** Every catalogue, by language and area. */
export const CATALOGUES = {
  en: english,
  es: { common: esCommon, board: esBoard, stay: esStay, manager: esManager, desk: esDesk },
} as const

export type Language = keyof typeof CATALOGUES
/** An area of the desk: a catalogue file of each language. */
export type Area = keyof typeof english
export const LANGUAGES = Object.keys(CATALOGUES) as Language[]
export const DEFAULT_LANGUAGE: Language = 'en'

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'common'
    resources: typeof english
  }
}

void i18next.init({
  resources: CATALOGUES,
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  ns: Object.keys(english),
  defaultNS: 'common',
  initAsync: false,
  // Svelte escapes what it puts in the page; escaping here too would show "&amp;".
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
})

/** Where this PC keeps the language last spoken, for its sign-in screen. */
const REMEMBERED = 'frontdesk.language'

function remembered(): Language {
  try {
    const stored = globalThis.localStorage?.getItem(REMEMBERED)
    return isLanguage(stored) ? stored : DEFAULT_LANGUAGE
  } catch {
    return DEFAULT_LANGUAGE
  }
}

const state = $state({ language: DEFAULT_LANGUAGE as Language })

/** True for a language the desk has catalogues for. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as string[]).includes(value)
}

/** The language the desk speaks now. */
export function language(): Language {
  return state.language
}

/** Speak `next` from now on; every `t` read in a template follows, and this PC's sign-in
 * screen speaks it next time. */
export function setLanguage(next: Language): void {
  try {
    globalThis.localStorage?.setItem(REMEMBERED, next)
  } catch {
    // A WebView without storage only forgets the sign-in screen's language.
  }
  if (next === state.language) return
  void i18next.changeLanguage(next)
  state.language = next
  if (typeof document !== 'undefined') document.documentElement.lang = next
}

/** Speak the language this PC spoke last: for the sign-in screen, before anyone signs in. */
export function speakRemembered(): void {
  setLanguage(remembered())
}

const translate = i18next.t.bind(i18next) as unknown as (...args: unknown[]) => string

/** A string of the catalogues in the current language (`t('board:tile.free')`). Reading the
 * language here makes every template that calls it follow a change of language. */
export const t = ((...args: unknown[]) => {
  void state.language
  return translate(...args)
}) as unknown as TFunction<Area[]>
