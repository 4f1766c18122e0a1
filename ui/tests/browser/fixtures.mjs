// A small test hotel, as the Rust side would answer for it, and helpers to drive the app.
// Shapes mirror crates/frontdesk (its stays and cards modules) and ui/src/lib/types.ts.

export const NOW = '2025-03-12T15:00:00Z'
export const ZONE = 'Europe/Lisbon'

export const appInfo = {
  property_name: 'Quayside Test Inn',
  time_zone: ZONE,
  locale: 'en-GB',
  encoders: [{ name: 'Encoder 1', state: 'simulated', simulated: true, serial: null }],
  terminal: null,
  restored: null,
}

/** This PC's link as a terminal of the property server: Desk 2, connected. */
export function terminalStatus(extra = {}) {
  return {
    property_name: appInfo.property_name,
    terminal_name: 'Desk 2',
    server: '192.168.1.20:8788',
    online: true,
    problem: null,
    ...extra,
  }
}

/** The app's info on a terminal of the property server. */
export const terminalInfo = (status = terminalStatus()) => ({ ...appInfo, terminal: status })

/** A terminal as a manager's settings list it. */
export function terminalView(name, extra = {}) {
  return {
    terminal_id: id(`terminal-${name}`),
    name,
    paired_at: '2025-03-01T09:00:00Z',
    revoked_at: null,
    last_seen_at: '2025-03-12T14:55:00Z',
    ...extra,
  }
}

/** A stable UUID-looking id per name. */
export function id(name) {
  let hex = ''
  for (const ch of name) hex += ch.charCodeAt(0).toString(16)
  hex = (hex + '0'.repeat(32)).slice(0, 32)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export const manager = { id: id('op-mia'), name: 'Mia Manager', role: 'manager' }
export const receptionist = { id: id('op-rex'), name: 'Rex Desk', role: 'receptionist' }
export const session = (operator = manager, language = 'en') => ({ token: `token-${operator.name}`, operator, language })

export const doors = {
  lobby: {
    acs_entrance_id: id('door-lobby'),
    name: 'Lobby',
    key: 'lobby',
    can_belong_to_reservation: false,
    space_ids: [id('space-lobby')],
  },
  gym: { acs_entrance_id: id('door-gym'), name: 'Gym', key: 'gym', can_belong_to_reservation: false, space_ids: [id('space-gym')] },
  pool: { acs_entrance_id: id('door-pool'), name: 'Pool', key: 'pool', can_belong_to_reservation: false, space_ids: [id('space-pool')] },
}

const roomNumbers = ['101', '102', '103', '104', '201', '202', '203', '204', '301', '302']
for (const number of roomNumbers) {
  doors[number] = {
    acs_entrance_id: id(`door-${number}`),
    name: `Room ${number} door`,
    key: `door-${number}`,
    can_belong_to_reservation: true,
    space_ids: [id(`space-${number}`)],
  }
}
doors['301b'] = {
  acs_entrance_id: id('door-301b'),
  name: 'Suite 301 bedroom door',
  key: 'door-301b',
  can_belong_to_reservation: true,
  space_ids: [id('space-301')],
}
doors['301'].name = 'Suite 301 hall door'

export const entrances = Object.values(doors)

export function summary(key, guests, starts, ends, warnings = 0) {
  return { reservation_key: key, starts_at: starts, ends_at: ends, guests, warnings }
}

export function tile(number, state = 'vacant', stays = [], extra = {}) {
  return {
    space_id: id(`space-${number}`),
    key: number,
    name: `Room ${number}`,
    kind: 'guest_room',
    state,
    has_warnings: stays.some((s) => s.warnings > 0),
    stays,
    next_arrival: null,
    ...extra,
  }
}

export const stays = {
  ana: summary('stay-ana', ['Ana Silva', 'Ben Silva'], '2025-03-11T15:00:00Z', '2025-03-14T11:00:00Z'),
  carl: summary('stay-carl', ['Carl Jones'], '2025-03-10T15:00:00Z', '2025-03-12T11:00:00Z'),
  dee: summary('stay-dee', ['Dee Park'], '2025-03-12T18:00:00Z', '2025-03-13T11:00:00Z'),
  jose: summary('stay-jose', ['José Núñez'], '2025-03-11T15:00:00Z', '2025-03-15T11:00:00Z', 1),
  tom: summary('stay-tom', ['Tom Morrow'], '2025-03-13T15:00:00Z', '2025-03-15T11:00:00Z'),
}

/** Floor 1: 101 vacant, 102 Ana and Ben in house, 103 Carl departing, 104 Dee arriving.
 * Floor 2: 201 vacant, 202 José with a warning, 203 vacant, 204 vacant until Tom arrives
 * tomorrow. Floor 3: Suite 301, 302. */
export function board() {
  return {
    property_name: appInfo.property_name,
    time_zone: ZONE,
    now: NOW,
    floors: [
      {
        floor: 1,
        label: 'Floor 1',
        rooms: [
          tile('101'),
          tile('102', 'in_house', [stays.ana]),
          tile('103', 'departing', [stays.carl]),
          tile('104', 'arriving', [stays.dee]),
        ],
      },
      {
        floor: 2,
        label: 'Floor 2',
        rooms: [tile('201'), tile('202', 'in_house', [stays.jose]), tile('203'), tile('204', 'vacant', [], { next_arrival: stays.tom })],
      },
      {
        floor: 3,
        label: 'Floor 3',
        rooms: [tile('301', 'vacant', [], { name: 'Suite 301', kind: 'suite' }), tile('302')],
      },
    ],
  }
}

/** `count` rooms on floors of 50, every third one in house, every seventh with a warning. */
export function bigBoard(count) {
  const floors = []
  for (let index = 0; index < count; index++) {
    const floor = Math.floor(index / 50) + 1
    if (!floors[floor - 1]) floors[floor - 1] = { floor, label: `Floor ${floor}`, rooms: [] }
    const number = `${floor}${String((index % 50) + 1).padStart(2, '0')}`
    const occupied = index % 3 === 0
    const warned = occupied && index % 7 === 0
    const stays = occupied
      ? [summary(`stay-${number}`, [`Guest ${number}`], '2025-03-11T15:00:00Z', '2025-03-14T11:00:00Z', warned ? 1 : 0)]
      : []
    floors[floor - 1].rooms.push({
      space_id: id(`big-${number}`),
      key: number,
      name: `Room ${number}`,
      kind: 'guest_room',
      state: occupied ? (index % 2 ? 'in_house' : 'departing') : 'vacant',
      has_warnings: warned,
      stays,
      next_arrival: null,
    })
  }
  return { property_name: appInfo.property_name, time_zone: ZONE, now: NOW, floors }
}

/** A stay's bar on the timeline. */
export function bar(key, guests, starts, ends, status = 'in_house', warnings = 0) {
  return { reservation_key: key, starts_at: starts, ends_at: ends, guests, warnings, status }
}

/** Eva and Rui Lopes, arriving in 201 on Friday 14 March at 15:00. */
export const eva = bar('stay-eva', ['Eva Lopes', 'Rui Lopes'], '2025-03-14T15:00:00Z', '2025-03-16T11:00:00Z', 'upcoming')

/** The board's rooms over two weeks from Tuesday 11 March: today's stays, Eva arriving in
 * 201 on Friday, and Zoe, who checked out of 203 on Tuesday morning. */
export function timeline(extra = {}) {
  const statusOf = (stay) => (Date.parse(stay.starts_at) > Date.parse(NOW) ? 'upcoming' : 'in_house')
  return {
    property_name: appInfo.property_name,
    time_zone: ZONE,
    now: NOW,
    from: '2025-03-11',
    days: 14,
    starts_at: '2025-03-11T00:00:00Z',
    ends_at: '2025-03-25T00:00:00Z',
    floors: board().floors.map((floor) => ({
      floor: floor.floor,
      label: floor.label,
      rooms: floor.rooms.map((room) => ({
        space_id: room.space_id,
        key: room.key,
        name: room.name,
        kind: room.kind,
        stays: [
          ...room.stays.map((stay) => ({ ...stay, status: statusOf(stay) })),
          ...(room.key === '201' ? [eva] : []),
          ...(room.key === '203' ? [bar('stay-zoe', ['Zoe Adams'], '2025-03-09T15:00:00Z', '2025-03-11T10:40:00Z', 'checked_out')] : []),
        ],
      })),
    })),
    ...extra,
  }
}

/** The timeline of `bigBoard(count)` over `days` days from Tuesday 11 March: in every room a
 * three-night stay every four days (the first starting on a day of its own), the ones before
 * today checked out, a warning on every seventh. */
export function bigTimeline(count, days) {
  const floors = bigBoard(count).floors.map((floor) => ({
    floor: floor.floor,
    label: floor.label,
    rooms: floor.rooms.map((room, index) => {
      const stays = []
      for (let start = index % 4; start < days; start += 4) {
        const starts = new Date(Date.UTC(2025, 2, 11 + start, 15)).toISOString().replace('.000', '')
        const ends = new Date(Date.UTC(2025, 2, 14 + start, 11)).toISOString().replace('.000', '')
        const status = Date.parse(ends) <= Date.parse(NOW) ? 'checked_out' : Date.parse(starts) > Date.parse(NOW) ? 'upcoming' : 'in_house'
        stays.push(bar(`stay-${room.key}-${start}`, [`Guest ${room.key}-${start}`], starts, ends, status, start % 7 === 0 ? 1 : 0))
      }
      return { space_id: room.space_id, key: room.key, name: room.name, kind: room.kind, stays }
    }),
  }))
  const end = new Date(Date.UTC(2025, 2, 11 + days)).toISOString().replace('.000', '')
  return {
    property_name: appInfo.property_name,
    time_zone: ZONE,
    now: NOW,
    from: '2025-03-11',
    days,
    starts_at: '2025-03-11T00:00:00Z',
    ends_at: end,
    floors,
  }
}

export function cardRecord(name, extra = {}) {
  return {
    id: id(`method-${name}`),
    access_grant_id: id(`grant-${name}`),
    request_index: 0,
    mode: 'card',
    code: null,
    copy_number: 1,
    created_at: NOW,
    issued_at: null,
    card_id: null,
    is_encoding_required: false,
    revoked_at: null,
    collected_at: null,
    lost_at: null,
    warnings: [],
    ...extra,
  }
}

export const issued = (name, extra = {}) =>
  cardRecord(name, { issued_at: '2025-03-11T15:05:00Z', card_id: `C-${name.toUpperCase()}`, ...extra })

export function guest(name, cards, extra = {}) {
  return {
    user_identity_id: id(`user-${name}`),
    full_name: name,
    access_grant_id: id(`grant-${name.split(' ')[0].toLowerCase()}`),
    entrance_ids: [doors['102'].acs_entrance_id, doors.lobby.acs_entrance_id],
    starts_at: '2025-03-11T15:00:00Z',
    ends_at: '2025-03-14T11:00:00Z',
    cards,
    warnings: [],
    ...extra,
  }
}

/** Ana and Ben in 102, one issued card each. */
export function anaStay(extra = {}) {
  return {
    reservation_key: 'stay-ana',
    space_id: id('space-102'),
    room_name: 'Room 102',
    starts_at: '2025-03-11T15:00:00Z',
    ends_at: '2025-03-14T11:00:00Z',
    guests: [guest('Ana Silva', [issued('ana-1')]), guest('Ben Silva', [issued('ben-1')])],
    ...extra,
  }
}

/** A card out of use that still opens Room 101 (until a newer card) and the lobby. */
export function cardOut(cardId, extra = {}) {
  return {
    card_id: cardId,
    access_grant_id: id('grant-out'),
    access_method_id: id(`method-${cardId}`),
    reservation_key: 'stay-ana',
    guest: 'Ana Silva',
    copy_number: 1,
    reason: 'not_returned',
    doors: [
      {
        acs_entrance_id: doors[101].acs_entrance_id,
        name: doors[101].name,
        until: 'newer_card',
        at_latest: '2025-03-14T11:00:00Z',
        held_by: null,
      },
      {
        acs_entrance_id: doors.lobby.acs_entrance_id,
        name: doors.lobby.name,
        until: 'card_end',
        at_latest: '2025-03-14T11:00:00Z',
        held_by: null,
      },
    ],
    cancel_entrance_ids: [doors[101].acs_entrance_id],
    ...extra,
  }
}

export function checkInOptions(number, roomDoors = [doors[number]]) {
  return {
    space_id: id(`space-${number}`),
    room_name: `Room ${number}`,
    starts_at: '2025-03-12T15:00:12Z',
    ends_at: '2025-03-13T11:00:00Z',
    room_doors: roomDoors.map((d) => ({ acs_entrance_id: d.acs_entrance_id, name: d.name, selected: true })),
    common_areas: [doors.lobby, doors.gym, doors.pool].map((d) => ({
      acs_entrance_id: d.acs_entrance_id,
      name: d.name,
      selected: d !== doors.pool,
    })),
  }
}

/** The `steps` of an `encode_cards` reply: for each card, present_card, two progress events
 * and written, with a pause named `card-<n>` (from 1) before each card is written when
 * `pauses` is set. */
export function encodeSteps(records, { pauses = false } = {}) {
  const steps = []
  records.forEach((record, index) => {
    const total = records.length
    steps.push({ emit: 'encode-progress', payload: { event: 'present_card', index, total } })
    if (pauses) steps.push({ pause: `card-${index + 1}` })
    steps.push({ emit: 'encode-progress', payload: { event: 'progress', index, done: 256, total: 512 } })
    steps.push({ emit: 'encode-progress', payload: { event: 'progress', index, done: 512, total: 512 } })
    steps.push({ emit: 'encode-progress', payload: { event: 'written', index, card: encoded(record) } })
  })
  return steps
}

export function encoded(record) {
  const card_id = `C-${record.id.slice(0, 6).toUpperCase()}`
  return { access_method: { ...record, issued_at: NOW, card_id }, card_id, op_id: id(`op-${record.id}`) }
}

/** A reply of `encode_cards` that writes `records`. */
export function encodeReply(records, options) {
  return { ok: records.map(encoded), steps: encodeSteps(records, options) }
}

/** The replies every signed-in test needs. */
/** The PMS link as a desk that never set it up shows it. */
export const pmsLinkOff = {
  enabled: false,
  direction: 'listen',
  address: '127.0.0.1:5010',
  encoding: 'latin1',
  peer: null,
  state: null,
  last_record: null,
  last_record_at: null,
  last_error: null,
}

/** The board as the sign-in screen lays it out (board_layout): the rooms, no one's stays. */
export function boardLayout(source = board()) {
  const empty = (room) => ({ ...room, state: 'vacant', has_warnings: false, stays: [], next_arrival: null })
  return { ...source, floors: source.floors.map((floor) => ({ ...floor, rooms: floor.rooms.map(empty) })) }
}

export function base(overrides = {}, operator = manager) {
  return {
    app_info: { ok: appInfo },
    operators_exist: { ok: true },
    board_layout: { ok: boardLayout() },
    sign_in: { ok: session(operator) },
    sign_out: { ok: null },
    room_board: { ok: board() },
    timeline: { ok: timeline() },
    find_stays: { ok: [] },
    entrances: { ok: entrances },
    simulator_cards: { ok: [] },
    predict: { ok: { booked: null, troubles: [] } },
    room_cards_out: { ok: [] },
    terminals: { ok: [] },
    pms_link: { ok: pmsLinkOff },
    pms_link_status: { ok: null },
    door_privacy: { ok: { acs_entrance_id: null, on: false, locked_out: false, at: NOW } },
    spare_cards: { ok: [] },
    backup_status: { ok: backupStatus() },
    ...overrides,
  }
}

/** A standalone desk's backups: none set up unless `extra` says. */
export function backupStatus(extra = {}) {
  return { password_set: false, schedule: null, last: null, backups: [], ...extra }
}

/** Signs in through the form and waits for the board. */
export async function signIn(page, operator = manager, pin = '2468') {
  await page.getByLabel('Name').fill(operator.name)
  await page.getByLabel('PIN', { exact: true }).fill(pin)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Screens' }).waitFor()
}

/** The commands called so far, with their arguments. */
export async function calls(page, command) {
  const all = await page.evaluate(() => window.__frontdeskMock.calls)
  return command ? all.filter((c) => c.command === command) : all
}

export const roomButton = (page, number) => page.locator(`[data-testid="room"][data-room="${number}"]`)

/** Sends `desk-changed` as the Rust side does when the property changed somewhere. */
export async function deskChanged(page, version = 2) {
  await page.evaluate((payload) => window.__frontdeskMock.emit('desk-changed', payload), version)
}

/** Waits until the mock is paused at `name`, then lets it go on. */
export async function release(page, name) {
  await page.waitForFunction((pause) => window.__frontdeskMock.waiting().includes(pause), name)
  await page.evaluate((pause) => window.__frontdeskMock.release(pause), name)
}
