import type { EncoderState } from './bindings/EncoderState'

/** The encoder's state in the words the header shows. */
export function encoderLabel(state: EncoderState, simulated: boolean): string {
  switch (state) {
    case 'simulated':
      return 'Simulated'
    case 'connected':
      return 'Encoder ready'
    case 'busy':
      return simulated ? 'Simulated: busy' : 'Encoder busy'
    case 'disconnected':
      return 'No encoder'
  }
}
