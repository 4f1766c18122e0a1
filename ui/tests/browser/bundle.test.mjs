// The production bundle (dist/) carries no test mock.

import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../../dist', import.meta.url))

test('dist/ has no mockIPC and no test hooks', () => {
  const files = readdirSync(dist, { recursive: true }).filter((f) => /\.(js|html)$/.test(f))
  assert.ok(files.length > 0)
  for (const file of files) {
    const text = readFileSync(path.join(dist, file), 'utf8')
    for (const marker of ['mockIPC', '__FRONTDESK_MOCK__', '__frontdeskMock', 'shouldMockEvents']) {
      assert.ok(!text.includes(marker), `${file} contains ${marker}`)
    }
  }
})
