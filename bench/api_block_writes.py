#!/usr/bin/env python3
"""Cost of a block write over HTTP (PUT /v1/blocks/<id>) against a reload of the
same configuration (POST /v1/reload), same run, same daemon.

    bench/api_block_writes.py --build build-perf --blocks 100,500,1000 [--samples 9]

Starts <build>/bin/blockhealthd on a config with no blocks (interval 1h: no
evaluation or probing during the run), then defines blocks over HTTP, one by
one, each of 10 instances (health_url to a closed port, probed every hour) and
two built-in policies. At each N of --blocks it measures, on one keep-alive
connection:
    PUT: the wall time of replacing one existing block (a changed body, so
         the plan is rebuilt), median of --samples;
    reload (the anchor): POST /v1/reload of the same state (the file and every
         block defined over HTTP are planned again), median of --samples;
and prints both and PUT / reload. Both rebuild the whole plan and swap it in,
so a ratio near 1 means a write costs one reload; well below 1 means the
write reuses what it read before (the file, the other blocks' bodies).
Python 3 standard library only.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time

import bench_daemon


def block_body(i, variant=0):
    return json.dumps({
        "instances": [{"id": f"in-{j}", "health_url": f"http://127.0.0.1:9/{j}"} for j in range(10)],
        "policies": [{"use": "gpu_temperature"},
                     {"use": "last_request_age", "with": {"max_age": f"{3600 + variant}s"}}],
    })


def timed(conn, method, target, body=None):
    start = time.perf_counter()
    conn.request(method, target, body, {"Content-Type": "application/json"})
    reply = conn.getresponse()
    data = reply.read()
    elapsed = time.perf_counter() - start
    if reply.status not in (200, 201):
        sys.exit(f"{method} {target}: {reply.status} {data[:300]!r}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build-perf")
    ap.add_argument("--blocks", default="100,500,1000")
    ap.add_argument("--samples", type=int, default=9)
    args = ap.parse_args()
    config = "defaults:\n  interval: 1h\n  stale_after: 2h\nblocks: []\n"
    with bench_daemon.started(args.build, config) as (host, port):
        conn = http.client.HTTPConnection(host, port, timeout=120)
        made = 0
        print(f"# {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, "
              f"load {os.getloadavg()[0]:.1f}, {args.build}/bin/blockhealthd")
        for n in [int(x) for x in args.blocks.split(",")]:
            while made < n:
                timed(conn, "PUT", f"/v1/blocks/b{made}", block_body(made))
                made += 1
            puts = [timed(conn, "PUT", f"/v1/blocks/b{k % n}", block_body(k % n, k + 1))
                    for k in range(args.samples)]
            reloads = [timed(conn, "POST", "/v1/reload", "") for _ in range(args.samples)]
            put_ms = statistics.median(puts) * 1000
            reload_ms = statistics.median(reloads) * 1000
            print(f"blocks {n:5d} ({n * 10} instances): PUT {put_ms:7.1f} ms, reload "
                  f"{reload_ms:7.1f} ms, PUT/reload {put_ms / reload_ms:.2f} "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
