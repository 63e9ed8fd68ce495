#!/usr/bin/env python3
"""Registering instances over HTTP one by one, against a trivial request of
the same daemon on the same connection (the anchor), same run, same box.

    bench/registration_bench.py --build build-perf [--instances 10000]

Starts <build>/bin/blockhealthd on one push-only block (last_request_age,
interval 5s), then on one keep-alive connection:
    PUT /v1/blocks/b/instances/i<k>   for k = 0..N-1, timed per 1,000;
    GET /healthz                      N times (the anchor: HTTP and routing
                                      alone).
Prints the time of each 1,000 registrations (flat = linear), the total, and
registration time / healthz time. Python 3 standard library only.
"""
import argparse
import http.client
import os
import time

import bench_daemon


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build-perf")
    ap.add_argument("--instances", type=int, default=10000)
    args = ap.parse_args()
    config = ("defaults:\n  interval: 5s\nblocks:\n  - id: b\n    policies:\n"
              "      - use: last_request_age\n")
    with bench_daemon.started(args.build, config) as (host, port):
        conn = http.client.HTTPConnection(host, port, timeout=60)

        def request(method, target):
            conn.request(method, target)
            reply = conn.getresponse()
            reply.read()
            if reply.status != 200:
                raise SystemExit(f"{method} {target}: {reply.status}")

        print(f"# {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, "
              f"load {os.getloadavg()[0]:.1f}")
        start = last = time.perf_counter()
        for k in range(args.instances):
            request("PUT", f"/v1/blocks/b/instances/i{k}")
            if (k + 1) % 1000 == 0:
                now = time.perf_counter()
                print(f"instances {k + 1:6d}: last 1,000 in {now - last:.3f} s", flush=True)
                last = now
        registering = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(args.instances):
            request("GET", "/healthz")
        anchor = time.perf_counter() - start
        print(f"{args.instances} registrations {registering:.2f} s; {args.instances} GET /healthz "
              f"{anchor:.2f} s; ratio {registering / anchor:.2f} (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
