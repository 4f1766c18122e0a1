import type { EncoderState } from './bindings/EncoderState'
import { t } from './i18n.svelte'

/** The encoder's state in the words the header shows. */
export function encoderLabel(state: EncoderState, simulated: boolean): string {
  switch (state) {
    case 'simulated':
      return t('stay:encoder.simulated')
    case 'connected':
      return t('stay:encoder.ready')
    case 'busy':
      return simulated ? t('stay:encoder.simulatedBusy') : t('stay:encoder.busy')
    case 'disconnected':
      return t('stay:encoder.none')
  }
}
