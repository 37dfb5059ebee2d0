/**
 * What a set of processes used over one timed stretch: CPU seconds each (all threads, from /proc),
 * and the highest resident set each reached (VmHWM, which the kernel keeps, so no peak is missed
 * between two readings). Read just before the processes exit: /proc forgets them after.
 */
import { CpuMeter, type CpuSnapshot, processCpuSeconds } from '../cpu.ts'
import { memoryMiB } from '../memory.ts'

export interface ProcessUse {
  readonly cpuSeconds: number
  /** Highest VmHWM seen; for a process started before the stretch it may predate it. */
  readonly peakRssMiB: number
}

/** CPU and memory of named processes between `start()` and the last `read()`. */
export class ProcessWatch {
  readonly #pids = new Map<string, number>()
  readonly #start = new Map<string, number>()
  readonly #last = new Map<string, number>()
  readonly #peak = new Map<string, number>()
  readonly #machine = new CpuMeter()
  readonly #machineStart: CpuSnapshot
  #machineLast: CpuSnapshot

  /** Running processes (the broker, Redis): what they used before now is not counted. */
  constructor(running: Readonly<Record<string, number | undefined>> = {}) {
    this.#machineStart = this.#machine.snapshot()
    this.#machineLast = this.#machineStart
    for (const [name, pid] of Object.entries(running)) {
      const cpu = pid === undefined ? undefined : processCpuSeconds(pid)
      if (pid === undefined || cpu === undefined) continue
      this.#pids.set(name, pid)
      this.#start.set(name, cpu)
    }
    this.read()
  }

  /** A process started within the stretch: all the CPU it ever used counts. */
  add(name: string, pid: number | undefined): void {
    if (pid === undefined) return
    this.#pids.set(name, pid)
    this.#start.set(name, 0)
    this.read()
  }

  /** Takes one reading; call it often enough that the last one is close to the end of the stretch. */
  read(): void {
    this.#machineLast = this.#machine.snapshot()
    for (const [name, pid] of this.#pids) {
      const cpu = processCpuSeconds(pid)
      if (cpu !== undefined) this.#last.set(name, cpu)
      const memory = memoryMiB(pid)
      if (memory) this.#peak.set(name, Math.max(this.#peak.get(name) ?? 0, memory.peak))
    }
  }

  /** Cores the machine kept busy since construction; `otherCores`: what the watched processes do not explain. */
  machine(): { busyCores: number; otherCores: number } {
    const use = CpuMeter.between(this.#machineStart, this.#machineLast)
    const watched = Object.values(this.use()).reduce((a, u) => a + u.cpuSeconds, 0)
    const other = use.seconds > 0 ? Math.max(0, use.machine - watched / use.seconds) : 0
    return { busyCores: use.machine, otherCores: Math.round(other * 100) / 100 }
  }

  /** Use per process since construction (processes never read are left out). */
  use(): Record<string, ProcessUse> {
    const out: Record<string, ProcessUse> = {}
    for (const [name, start] of this.#start) {
      const last = this.#last.get(name)
      if (last === undefined) continue
      out[name] = {
        cpuSeconds: Math.round((last - start) * 100) / 100,
        peakRssMiB: Math.round(this.#peak.get(name) ?? 0),
      }
    }
    return out
  }
}
