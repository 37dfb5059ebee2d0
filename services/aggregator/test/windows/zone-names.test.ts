import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ZONE_LINKS } from '../../src/windows/zone-links.ts'
import { canonicalZone } from '../../src/windows/zones.ts'

/** Every name a device may send: the runtime's zones and the database's links. */
export const ALL_ZONE_NAMES = [
  ...new Set([...Intl.supportedValuesOf('timeZone'), ...Object.keys(ZONE_LINKS)]),
].sort()

describe("a zone's canonical name", () => {
  const cases: [string, string][] = [
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Asia/Calcutta', 'Asia/Kolkata'],
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Europe/Kiev', 'Europe/Kyiv'],
    ['US/Pacific', 'America/Los_Angeles'],
    ['america/los_angeles', 'America/Los_Angeles'],
    ['Australia/ACT', 'Australia/Sydney'],
    ['Etc/UTC', 'UTC'],
    ['UTC', 'UTC'],
    ['Zulu', 'UTC'],
    ['GMT', 'UTC'],
    ['Africa/Timbuktu', 'Africa/Abidjan'],
    ['africa/timbuktu', 'Africa/Abidjan'],
    ['Europe/Oslo', 'Europe/Oslo'],
  ]
  for (const [sent, name] of cases)
    it(`is ${name} for ${sent}`, () => assert.equal(canonicalZone(sent), name))

  it('is the same for a link and its zone, and canonical names are their own', () => {
    for (const [link, zone] of Object.entries(ZONE_LINKS))
      assert.equal(canonicalZone(link), canonicalZone(zone), `${link} → ${zone}`)
    for (const name of ALL_ZONE_NAMES) {
      const canonical = canonicalZone(name)
      assert.ok(canonical !== undefined, `${name} is known`)
      assert.equal(canonicalZone(canonical), canonical, `${name} → ${canonical}`)
    }
  })
})
