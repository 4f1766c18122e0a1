// The desk's keyboard shortcuts: what the help panel (`?`) lists, and whether a key press
// was meant as typing (then no shortcut takes it).

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

export const SHORTCUTS: ShortcutGroup[] = [
  {
    where: 'Anywhere',
    shortcuts: [
      { keys: '?', what: 'Show these shortcuts' },
      { keys: 'Alt+1 … Alt+8', what: 'Go to a screen, in the order of the menu' },
      { keys: '/', what: 'Find a room or guest on the room board' },
      { keys: 'Tab, Shift+Tab', what: 'Move between buttons and fields' },
      { keys: 'Enter, Space', what: 'Press the button or open the room that has the focus' },
      { keys: 'Escape', what: 'Close a dialog (not while a card is being written)' },
    ],
  },
  {
    where: 'Timeline',
    shortcuts: [
      { keys: 'Arrow keys', what: 'Move between stays' },
      { keys: 'Enter', what: 'Open the stay' },
      { keys: 'Space or M', what: 'Pick the stay up to move it; arrows choose the room; Space or Enter puts it down' },
      { keys: 'Escape', what: 'Put a stay that is being moved back' },
    ],
  },
  {
    where: '"Move to room…" list',
    shortcuts: [
      { keys: 'Arrow keys', what: 'Choose a room' },
      { keys: 'Letters and digits', what: 'Jump to the room whose name starts with them' },
      { keys: 'Enter', what: 'Move the stay there' },
    ],
  },
]

/** Whether a key press goes to a field being typed in. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}
