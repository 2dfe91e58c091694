import { cpus, loadavg, totalmem } from 'node:os';

/** What a figure was measured on: printed with every benchmark run and recorded in the README. */
export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the run started: other work on the machine bends every figure. */
  loadAverage: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    nproc: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}, load average ${m.loadAverage}`;
}
