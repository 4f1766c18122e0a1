// The desk's keyboard shortcuts: what the help panel (`?`) lists, and whether a key press
// was meant as typing (then no shortcut takes it).

import { t } from './i18n.svelte'

export interface Shortcut {
  keys: string
  what: string
}

export interface ShortcutGroup {
  where: string
  shortcuts: Shortcut[]
}

/** Alt+1 … Alt+8: the screens in the order of the menu. */
export const SCREEN_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8']

/** The shortcuts by where they work, in the operator's language (keys that are words, such
 * as "Arrow keys", are worded too). Call it where it is shown, so that it follows a change
 * of language. */
export function shortcutGroups(): ShortcutGroup[] {
  return [
    {
      where: t('desk:shortcuts.anywhere.title'),
      shortcuts: [
        { keys: '?', what: t('desk:shortcuts.anywhere.help') },
        { keys: 'Alt+1 … Alt+8', what: t('desk:shortcuts.anywhere.screens') },
        { keys: '/', what: t('desk:shortcuts.anywhere.find') },
        { keys: t('desk:shortcuts.anywhere.focusKeys'), what: t('desk:shortcuts.anywhere.focus') },
        { keys: t('desk:shortcuts.anywhere.pressKeys'), what: t('desk:shortcuts.anywhere.press') },
        { keys: t('desk:shortcuts.anywhere.closeKeys'), what: t('desk:shortcuts.anywhere.close') },
      ],
    },
    {
      where: t('desk:shortcuts.timeline.title'),
      shortcuts: [
        { keys: t('desk:shortcuts.timeline.arrowsKeys'), what: t('desk:shortcuts.timeline.arrows') },
        { keys: t('desk:shortcuts.timeline.openKeys'), what: t('desk:shortcuts.timeline.open') },
        { keys: t('desk:shortcuts.timeline.pickKeys'), what: t('desk:shortcuts.timeline.pick') },
        { keys: t('desk:shortcuts.timeline.putBackKeys'), what: t('desk:shortcuts.timeline.putBack') },
      ],
    },
    {
      where: t('desk:shortcuts.moveList.title'),
      shortcuts: [
        { keys: t('desk:shortcuts.moveList.arrowsKeys'), what: t('desk:shortcuts.moveList.arrows') },
        { keys: t('desk:shortcuts.moveList.jumpKeys'), what: t('desk:shortcuts.moveList.jump') },
        { keys: t('desk:shortcuts.moveList.moveKeys'), what: t('desk:shortcuts.moveList.move') },
      ],
    },
  ]
}

/** Whether a key press goes to a field being typed in. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}
