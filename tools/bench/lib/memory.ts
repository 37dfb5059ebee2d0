/** Resident memory of a process, from /proc (Linux). */
import { readFileSync } from 'node:fs'

/** VmHWM and VmRSS of a process, in MiB; undefined once it is gone (a zombie has neither line). */
export function memoryMiB(pid: number | undefined): { peak: number; now: number } | undefined {
  if (pid === undefined) return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]
    const [peak, now] = [kb('VmHWM'), kb('VmRSS')]
    return peak === undefined || now === undefined
      ? undefined
      : { peak: Number(peak) / 1024, now: Number(now) / 1024 }
  } catch {
    return undefined
  }
}

/** Each named process's RSS now, rounded to MiB (NaN once it is gone). */
export function rssNowMiB(processes: Iterable<{ readonly name: string; readonly pid: number | undefined }>) {
  return Object.fromEntries(
    [...processes].map((p) => [p.name, Math.round(memoryMiB(p.pid)?.now ?? Number.NaN)]),
  )
}
