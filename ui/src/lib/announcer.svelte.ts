// The app's one polite live region (rendered by App.svelte): what a screen reader hears
// after a drag, a drop or a move.

class Announcer {
  message = $state('')
  #timer: ReturnType<typeof setTimeout> | undefined

  /** Says `text`; the region is emptied first so that the same words are said again. */
  say(text: string): void {
    clearTimeout(this.#timer)
    this.message = ''
    this.#timer = setTimeout(() => (this.message = text), 30)
  }
}

export const announcer = new Announcer()
