// The remakes a predicted trouble offers (a later stay whose cards were made before this
// one's), as the check-in, move and date forms use them: ticked at first, then made once
// the change has gone through.

import { t } from './i18n.svelte'
import { AppError, api } from './ipc'
import type { StayDetail, Trouble } from './types'

/** The reservation keys of the stays the troubles offer to remake, all of them ticked. */
export function offeredRemakes(troubles: Trouble[]): string[] {
  return troubles.flatMap((trouble) => (trouble.remake ? [trouble.remake.reservation_key] : []))
}

/** Remakes each stay's cards, in order. The change before them stands whatever happens, so a
 * failed remake does not stop the others: the last failure comes back beside the stays made
 * (the manager's warnings offer that remake again). */
export async function remakeAll(token: string, keys: string[]): Promise<{ remade: StayDetail[]; failed: AppError | null }> {
  const remade: StayDetail[] = []
  let failed: AppError | null = null
  for (const key of keys) {
    try {
      remade.push(await api.remakeCards(token, key))
    } catch (reason) {
      failed = AppError.from(reason)
    }
  }
  return { remade, failed }
}

/** "Tom Morrow and Ana Morrow": the guests of a remade stay. */
export function remadeGuests(stay: StayDetail): string {
  const names = stay.guests.map((guest) => guest.full_name ?? t('stay:unnamedGuest'))
  return names.length === 0 ? '' : names.reduce((first, second) => t('stay:list.both', { first, second }))
}
