// A property-management system's end of a FIAS link, as a plain TCP client (as IFC8 or a
// bridge speaks it): records framed STX … ETX, in Latin-1.

import { connect } from 'node:net'

const STX = 0x02
const ETX = 0x03

/** A PMS's end of the link: sends records framed STX … ETX, hands back each record it gets. */
export async function pms(port) {
  const socket = await new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => resolve(socket))
      socket.once('error', () => setTimeout(attempt, 200))
    }
    attempt()
    setTimeout(() => reject(new Error('nothing listened for the PMS')), 20_000)
  })
  const received = []
  const waiting = []
  let buffer = Buffer.alloc(0)
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk])
    for (;;) {
      const start = buffer.indexOf(STX)
      const end = buffer.indexOf(ETX, start + 1)
      if (start < 0 || end < 0) break
      received.push(buffer.subarray(start + 1, end).toString('latin1'))
      buffer = buffer.subarray(end + 1)
    }
    while (waiting.length > 0 && received.length > 0) waiting.shift()(received.shift())
  })
  const next = () =>
    new Promise((resolve, reject) => {
      if (received.length > 0) return resolve(received.shift())
      const timer = setTimeout(() => reject(new Error('no record from the desk')), 30_000)
      waiting.push((record) => {
        clearTimeout(timer)
        resolve(record)
      })
    })
  const send = (text) => socket.write(Buffer.concat([Buffer.from([STX]), Buffer.from(text, 'latin1'), Buffer.from([ETX])]))
  return {
    send,
    next,
    /** The next record of `type`, skipping others. */
    async nextOf(type) {
      for (;;) {
        const record = await next()
        if (record.startsWith(`${type}|`)) return record
      }
    },
    close: () => socket.destroy(),
  }
}

/** A record's field `id` (`AS`), if it has one. */
export const field = (record, id) =>
  record
    .split('|')
    .find((piece) => piece.startsWith(id))
    ?.slice(id.length)
