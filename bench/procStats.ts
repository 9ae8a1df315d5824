// CPU time and peak memory of child processes, read from Linux's /proc: how the benchmark measures Chromium, whose
// page cannot see either (its GPU process does WebGPU's work, and a page has no CPU clock).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces): index 0 is field 3 (state). */
function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;                      // gone meanwhile
  }
}

/** Every live process below `root` (children, grandchildren, ...). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f) parent.set(Number(name), Number(f[1]));
  }
  const out: number[] = [];
  const below = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (below.has(ppid) && !below.has(pid)) {
        below.add(pid);
        out.push(pid);
        grew = true;
      }
    }
  }
  return out;
}

/** User + system CPU time of these processes, ms (clock-tick resolution: 10 ms). */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]);          // utime, stime (fields 14 and 15)
  }
  return (ticks * 1000) / clockTicks();
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The process's peak resident set (VmHWM), bytes; 0 when it is gone. */
export function peakRssBytes(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Keeps every thread of every process below this one at this process's niceness, until stopped. Chromium running as
 * root raises its own priority (browser and GPU process to -8, the page's renderer to 0) and nice applies per
 * thread on Linux: without this its figures would come from another share of a busy machine than Node's and
 * PyTorch's, and it would take CPU from whatever the machine is there for.
 */
export function holdNiceness(intervalMs = 250): () => void {
  const nice = getPriority();
  const apply = () => {
    for (const pid of descendants(process.pid)) {
      let tids: string[] = [];
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;                          // gone meanwhile
      }
      for (const tid of tids) {
        try {
          if (getPriority(Number(tid)) < nice) setPriority(Number(tid), nice);
        } catch {
          // the thread ended between the listing and the call
        }
      }
    }
  };
  apply();
  const timer = setInterval(apply, intervalMs);
  return () => clearInterval(timer);
}
