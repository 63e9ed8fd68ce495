#!/usr/bin/env python3
"""Measures blockhealthd itself probing and scraping N instances every second.

    bench/pull_daemon_bench.py --build build --instances 1000 --seconds 60 [--runs 3]

Starts a farm of N HTTP instances (`<build>/bin/pull_bench --farm-only`,
/health and a dcgm-exporter-like /metrics on each port), writes a config with
one block of N instances (health_url + metrics_url each, interval 1s,
timeout 1s by default), starts `<build>/bin/blockhealthd` on it, waits for the warm-up,
then over the measured window reads:
  - the daemon's CPU time from /proc/<pid>/stat (utime + stime), so the
    farm's CPU is not counted;
  - the lateness histogram blockhealth_source_lateness_seconds from its
    /metrics (difference between the start and the end of the window), giving
    bucketed percentiles (an upper bound: the bucket's upper edge) and the
    count of starts later than one interval;
  - blockhealth_source_failures_total and _skipped_ticks_total, summed.
Prints one line per run and the medians. Linux only (reads /proc).

The soft limit on open files is raised (to the hard limit) for the farm and
the daemon: N instances need about 3N descriptors in the farm (a listener
and keep-alive connections) and 2N in the daemon.
"""
import argparse
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def scrape(address):
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=10) as r:
        return r.read().decode()


def lateness_buckets(text):
    out = {}
    for m in re.finditer(r'^blockhealth_source_lateness_seconds_bucket\{le="([^"]+)"\} (\S+)$',
                         text, re.M):
        out[float(m.group(1))] = float(m.group(2))
    return out


def summed(text, name):
    total = 0.0
    for m in re.finditer(r'^' + re.escape(name) + r'(?:\{[^}]*\})? (\S+)$', text, re.M):
        total += float(m.group(1))
    return total


def quantile(buckets, q):
    """Upper edge of the bucket holding quantile q of a cumulative histogram."""
    total = buckets.get(float("inf"), 0)
    if total <= 0:
        return 0.0
    for le in sorted(buckets):
        if buckets[le] >= q * total:
            return le
    return float("inf")


def highest(buckets):
    """Upper edge of the highest bucket that holds a value (bounds the max)."""
    edges = sorted(buckets)
    prev = 0.0
    top = 0.0
    for le in edges:
        if buckets[le] > prev:
            top = le
        prev = buckets[le]
    return top


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        sys.exit(f"open files limited to {soft}; {needed} needed: raise the hard limit "
                 f"(ulimit -Hn) first")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf(os.sysconf_names["SC_CLK_TCK"])
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def wait_for_file(path, proc, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return
        if proc.poll() is not None:
            sys.exit(f"{what} exited early with {proc.returncode}")
        time.sleep(0.05)
    sys.exit(f"{what} did not start within {timeout}s")


def write_config(path, state_dir, ports, interval):
    lines = [
        "server:",
        "  listen: 127.0.0.1:0",
        f"state_dir: {state_dir}",
        "defaults:",
        f"  interval: {interval}",
        f"  timeout: {interval}",
        "  stale_after: 30s",
        "blocks:",
        "  - id: bench",
        "    instances:",
    ]
    for i, port in enumerate(ports):
        lines += [
            f"      - id: i{i}",
            f"        health_url: http://127.0.0.1:{port}/health",
            f"        metrics_url: http://127.0.0.1:{port}/metrics",
        ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def one_run(args, ports, work):
    config = os.path.join(work, "blockhealth.yaml")
    state = os.path.join(work, "state")
    os.makedirs(state, exist_ok=True)
    write_config(config, state, ports, f"{args.interval_ms}ms")
    port_file = os.path.join(work, "daemon.port")
    if os.path.exists(port_file):
        os.remove(port_file)
    daemon = subprocess.Popen(
        [os.path.join(args.build, "bin", "blockhealthd"), "--config", config, "--port-file",
         port_file, "--log-level", "warn"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "daemon.log"), "w"))
    try:
        wait_for_file(port_file, daemon, "blockhealthd")
        address = open(port_file).read().strip()
        time.sleep(args.warmup)
        before = scrape(address)
        cpu0, t0 = cpu_seconds(daemon.pid), time.monotonic()
        time.sleep(args.seconds)
        cpu1, t1 = cpu_seconds(daemon.pid), time.monotonic()
        after = scrape(address)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
    b0, b1 = lateness_buckets(before), lateness_buckets(after)
    window = {le: b1.get(le, 0) - b0.get(le, 0) for le in b1}
    interval_s = args.interval_ms / 1000.0
    starts = window.get(float("inf"), 0)
    within = max((v for le, v in window.items() if le <= interval_s), default=0)
    return {
        "cpu": 100.0 * (cpu1 - cpu0) / (t1 - t0),
        "starts": starts,
        "p50": quantile(window, 0.50),
        "p99": quantile(window, 0.99),
        "max": highest(window),
        "load": os.getloadavg()[0],
        "late_over_interval": starts - within,
        "failures": summed(after, "blockhealth_source_failures_total")
        - summed(before, "blockhealth_source_failures_total"),
        "skipped": summed(after, "blockhealth_source_skipped_ticks_total")
        - summed(before, "blockhealth_source_skipped_ticks_total"),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--instances", type=int, default=100)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--interval-ms", type=int, default=1000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    raise_fd_limit(3 * args.instances + 256)

    with tempfile.TemporaryDirectory(prefix="pull-daemon-bench-") as work:
        ports_file = os.path.join(work, "ports")
        farm = subprocess.Popen([os.path.join(args.build, "bin", "pull_bench"), "--farm-only",
                                 "--instances", str(args.instances), "--port-file", ports_file])
        try:
            wait_for_file(ports_file, farm, "the instance farm")
            ports = [int(x) for x in open(ports_file).read().split()]
            print(f"pull_daemon_bench: blockhealthd, {len(ports)} instances "
                  f"(health + metrics = {2 * len(ports)} requests per {args.interval_ms} ms), "
                  f"{args.seconds}s measured after {args.warmup}s warm-up, {args.runs} run(s)")
            results = []
            for run in range(args.runs):
                r = one_run(args, ports, work)
                results.append(r)
                print(f"run {run + 1}: cpu {r['cpu']:.1f}% of one core | lateness p50 <= "
                      f"{r['p50'] * 1e3:g} ms p99 <= {r['p99'] * 1e3:g} ms max <= {r['max'] * 1e3:g} ms | starts {r['starts']:.0f}, "
                      f"later than the interval {r['late_over_interval']:.0f} | failures "
                      f"{r['failures']:.0f} skipped {r['skipped']:.0f} | load average {r['load']:.1f}",
                      flush=True)
            med = lambda k: statistics.median(r[k] for r in results)
            print(f"median of {args.runs}: cpu {med('cpu'):.1f}% | lateness p50 <= "
                  f"{med('p50') * 1e3:g} ms p99 <= {med('p99') * 1e3:g} ms max <= {med('max') * 1e3:g} ms "
                  f"| later than the "
                  f"interval {med('late_over_interval'):.0f} | failures {med('failures'):.0f}")
        finally:
            farm.send_signal(signal.SIGTERM)
            farm.wait(timeout=30)


if __name__ == "__main__":
    main()
