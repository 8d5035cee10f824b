import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  readonly openssl: string;
  /** 1-minute load average when the run started: other work on the machine skews timings. */
  readonly loadAverage1m: number;
}

/** What the numbers were measured on (printed and stored with every result). */
export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl ?? 'unknown',
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node} (OpenSSL ${m.openssl}), load average ${m.loadAverage1m} at start`;
}
