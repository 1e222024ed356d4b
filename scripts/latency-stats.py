#!/usr/bin/env python3
"""Latency figures of one dnsperf -v run: latency-stats.py FILE RATE -> "p50 p99 count p99-of-a-typical-second" (ms).

FILE holds one latency in ms per line, in the order dnsperf printed them (the order answers came back, so lines
RATE*k .. RATE*(k+1) are about second k of the run). The last figure is the median over the run's whole seconds of
each second's p99: a stall of a tenth of a second (dnsperf's CPU busy in the kernel, or the VM not scheduled; see
scripts/client-stalls.py) sets a run's p99 but only one second's, so this figure says what the server does in a
second without one.
"""
import statistics
import sys


def pct(sorted_values, q):
    return sorted_values[max(0, int(len(sorted_values) * q) - 1)]


def main(path, rate):
    with open(path) as f:
        lat = [float(line) for line in f if line.strip()]
    if not lat:
        print("n/a n/a 0 n/a")
        return
    whole = sorted(lat)
    seconds = [sorted(lat[i:i + rate]) for i in range(0, len(lat) - rate + 1, rate)]
    typical = statistics.median(pct(s, 0.99) for s in seconds) if seconds else pct(whole, 0.99)
    print(f"{pct(whole, 0.50):.3f} {pct(whole, 0.99):.3f} {len(lat)} {typical:.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]))
