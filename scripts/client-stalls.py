#!/usr/bin/env python3
"""Finds the moments when the load generator's CPU stalled, so a latency run can say whether its p99 is the server's.

On the 2-core VMs these benchmarks run on, dnsperf's CPU now and then spends 0.1-0.2 s without idle time, in the
kernel, while the server's CPU idles and the server is woken a tenth as often as usual (the same with unbound and with
the bridge; docs/benchmarks.md shows the samples and a perf profile of one). The queries sent then wait 1-6 ms (up to
80 ms), so such a run's p99 measures the stall, not the server.

  client-stalls.py sample OUT           every 0.1 s, append "uptime ctxt idle-ticks-of-cpu0 idle-ticks-of-cpu1 ..."
                                        to OUT, until the parent process exits
  client-stalls.py check OUT T0 T1 CPU  print how many samples between uptimes T0 and T1 were stalls: CPU (the
                                        client's) had idle time under 25% of the sample while the machine's context
                                        switches fell under half of their median over that window
"""
import os
import statistics
import sys
import time


def sample(out):
    parent = os.getppid()
    with open(out, "a") as f:
        while os.getppid() == parent:
            with open("/proc/stat") as s:
                stat = s.read().split("\n")
            with open("/proc/uptime") as u:
                up = u.read().split()[0]
            idle = [l.split()[4] for l in stat if l.startswith("cpu") and not l.startswith("cpu ")]
            ctxt = next(l.split()[1] for l in stat if l.startswith("ctxt "))
            f.write(f"{up} {ctxt} {' '.join(idle)}\n")
            f.flush()
            time.sleep(0.1)


def check(out, t0, t1, cpu):
    hz = os.sysconf("SC_CLK_TCK")
    rows = []
    with open(out) as f:
        for line in f:
            v = line.split()
            if len(v) >= 3 + cpu:
                rows.append((float(v[0]), int(v[1]), int(v[2 + cpu])))
    deltas = []
    for a, b in zip(rows, rows[1:]):
        # whole samples inside the run, the first and last left out (dnsperf starting and stopping)
        if t0 + 0.1 <= a[0] and b[0] <= t1 - 0.1 and 0 < b[0] - a[0] < 0.3:
            deltas.append((b[0] - a[0], b[1] - a[1], b[2] - a[2]))
    if len(deltas) < 3:
        print(0)
        return
    median_ctxt = statistics.median(d[1] for d in deltas)
    print(sum(1 for dt, ctxt, idle in deltas if idle < 0.25 * dt * hz and ctxt < median_ctxt / 2))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "sample":
        sample(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == "check":
        check(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
