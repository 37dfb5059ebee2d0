import { ZONE_LINKS } from '../../src/windows/zone-links.ts'

/** Every name a device may send: this runtime's zones and the database's links, sorted. */
export const ALL_ZONE_NAMES: readonly string[] = [
  ...new Set([...Intl.supportedValuesOf('timeZone'), ...Object.keys(ZONE_LINKS)]),
].sort()
