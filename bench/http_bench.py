#!/usr/bin/env python3
"""GET throughput of blockhealthd against nginx serving the same bytes, same run, same box.

    bench/http_bench.py --build build-rel [--runs 3] [--seconds 10] [--connections 64]
                        [--unpinned]

Starts blockhealthd on a config with one block of 10 push-fed instances and
the three built-in policies (interval 1s, stale_after 1h), pushes one set of
observations to every instance (one GPU warm enough to be degraded, so the
answer carries a reason), waits until every instance has its verdict, then
saves the exact bodies of
    GET /block/health/<id>      (the AIOS answer, about 600 bytes)
    GET /v1/blocks/<id>         (the full view)
as files, and starts nginx on them, at the same paths with
Content-Type application/json (temporary prefix, access_log off, keep-alive
without a request limit, open_file_cache on: nginx at its best for static
files). Nothing in /etc/nginx is read or changed.

Pinned (default): each server on cpu0 (`taskset -c 0`; blockhealthd with
server.threads 1, nginx with 1 worker), wrk on cpu1:
    taskset -c 1 wrk -t1 -c64 -d10s --latency URL
Unpinned (--unpinned): no taskset, blockhealthd with server.threads 2, nginx
with 2 workers, wrk -t2: servers and wrk share both cores.

Each endpoint is run against blockhealthd and nginx alternately, --runs times.
Prints req/s, latency p50/p99, errors and the server's CPU (utime + stime of
the process and its children, % of one core: below 100 % pinned means wrk,
not the server, was the limit) for each run, the medians, and the ratio
blockhealthd / nginx. blockhealthd keeps evaluating its block during
the runs (3 policy calls a second), and writes each answer with fresh
`lastMetrics` ages; nginx sends a file.

Needs wrk and nginx: `apt-get install nginx-light wrk` (this script installs
nothing). Linux, Python 3 standard library only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BLOCK = "bench-block"
INSTANCES = [f"in-{k}" for k in range(10)]
CONFIG = f"""\
server:
  threads: @THREADS@
state_dir: @STATE@
defaults:
  interval: 1s
  timeout: 1s
  stale_after: 1h
blocks:
  - id: {BLOCK}
    instances:
""" + "".join(f"      - id: {i}\n" for i in INSTANCES) + """\
    policies:
      - use: gpu_temperature
        with: { warn_celsius: 83, critical_celsius: 88 }
      - use: log_pattern
        with: { critical: ["CUDA error", "out of memory"], window: 60s }
      - use: last_request_age
        with: { max_age: 1h }
"""
ENDPOINTS = [f"/block/health/{BLOCK}", f"/v1/blocks/{BLOCK}"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, body=None, timeout=10):
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read(), r.headers.get("Content-Type")


def wait_until(what, proc, check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"http_bench: {what}: the process exited with {proc.returncode}")
        try:
            if check():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    sys.exit(f"http_bench: {what}: not within {timeout}s")


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_daemon(args, work, pin):
    state = os.path.join(work, "state")
    os.makedirs(state, exist_ok=True)
    config = os.path.join(work, "blockhealth.yaml")
    with open(config, "w") as f:
        f.write(CONFIG.replace("@THREADS@", "2" if args.unpinned else "1").replace("@STATE@", state))
    port_file = os.path.join(work, "daemon.port")
    daemon = subprocess.Popen(
        pin + [os.path.join(args.build, "bin", "blockhealthd"), "--config", config,
               "--listen", "127.0.0.1:0", "--port-file", port_file, "--log-level", "warn"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "daemon.log"), "w"))
    try:
        return daemon, prepare_daemon(daemon, port_file)
    except SystemExit:
        stop(daemon)
        raise


def prepare_daemon(daemon, port_file):
    """Waits for the daemon, pushes once to every instance, waits for verdicts."""
    wait_until("blockhealthd port file", daemon,
               lambda: os.path.exists(port_file) and os.path.getsize(port_file) > 0)
    base = "http://" + open(port_file).read().strip()
    wait_until("blockhealthd /readyz", daemon, lambda: http(base + "/readyz"))
    now = int(time.time())
    for k, inst in enumerate(INSTANCES):
        temp = 85 if k == 3 else 60 + k  # in-3 is over warn_celsius 83: degraded, with a reason
        metrics = [{"name": "DCGM_FI_DEV_GPU_TEMP", "labels": {"gpu": "0", "UUID": f"GPU-{k:08x}"},
                    "value": temp},
                   {"name": "last_request_timestamp_seconds", "value": now}]
        path = f"{base}/v1/blocks/{BLOCK}/instances/{inst}"
        http(path + "/metrics", json.dumps(metrics).encode())
        http(path + "/logs", json.dumps(["INFO model server ready"]).encode())

    def settled():  # every instance judged by its three policies: ok, and in-3 degraded
        view = json.loads(http(f"{base}/v1/blocks/{BLOCK}")[0])
        return all(i["status"] == ("degraded" if i["instance_id"] == "in-3" else "ok")
                   and len(i.get("policies", [])) == 3 for i in view["instances"])
    wait_until("every instance judged", daemon, settled)
    return base


def nginx_conf(root, prefix, port, workers):
    v = subprocess.run(["nginx", "-V"], capture_output=True, text=True).stderr
    temp_paths = "".join(
        f"  {module}_temp_path {prefix}/{module};\n"
        for module in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        if f"--without-http_{module}_module" not in v)
    return f"""\
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  types {{ }}
  default_type application/json;
  sendfile on;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  open_file_cache max=64 inactive=60s;
  open_file_cache_valid 3600s;
{temp_paths}  server {{
    listen 127.0.0.1:{port} backlog=4096;
    root {root};
    location / {{ }}
  }}
}}
"""


def start_nginx(args, work, pin, bodies):
    prefix = os.path.join(work, "nginx")
    root = os.path.join(prefix, "root")
    # Run as root, nginx's worker drops to `nobody`: it must be able to read the files.
    os.chmod(work, 0o755)
    for path, body in bodies.items():
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        with open(root + path, "wb") as f:
            f.write(body)
    for d, _, files in os.walk(prefix):
        os.chmod(d, 0o755)
        for name in files:
            os.chmod(os.path.join(d, name), 0o644)
    port = free_port()
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_conf(root, prefix, port, 2 if args.unpinned else 1))
    nginx = subprocess.Popen(pin + ["nginx", "-p", prefix, "-e", os.path.join(prefix, "error.log"),
                                    "-c", conf, "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=open(prefix + "/stderr", "w"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until("nginx", nginx, lambda: http(base + ENDPOINTS[0]))
        for path, body in bodies.items():
            got, ctype = http(base + path)
            if got != body or not ctype.startswith("application/json"):
                sys.exit(f"http_bench: nginx does not serve {path} as saved ({ctype})")
    except SystemExit:
        stop(nginx, signal.SIGQUIT)
        with open(os.path.join(prefix, "error.log")) as f:
            print(f"nginx error.log:\n{f.read()[-2000:]}", file=sys.stderr)
        raise
    return nginx, base


def tree_cpu_seconds(pid):
    """utime + stime of a process and its direct children (nginx's workers)."""
    pids = [pid]
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        pids += [int(x) for x in f.read().split()]
    total = 0
    for p in pids:
        with open(f"/proc/{p}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf(os.sysconf_names["SC_CLK_TCK"])


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[m.group(2)]


def wrk(args, url, server_pid):
    """One wrk run; also the server's CPU over it (% of one core), which tells
    whether the server or wrk was the limit."""
    pin = [] if args.unpinned else ["taskset", "-c", "1"]
    threads = 2 if args.unpinned else 1
    cpu0, t0 = tree_cpu_seconds(server_pid), time.monotonic()
    out = subprocess.run(pin + ["wrk", f"-t{threads}", f"-c{args.connections}",
                                f"-d{args.seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    cpu = 100 * (tree_cpu_seconds(server_pid) - cpu0) / (time.monotonic() - t0)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = "; ".join(m.strip() for m in re.findall(r"^\s*(Non-2xx.*|Socket errors.*)$", out, re.M))
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors, "cpu": cpu}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--unpinned", action="store_true",
                   help="no taskset: servers (2 threads / workers) and wrk -t2 share the cores")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    missing = [t for t in ("wrk", "nginx") if not shutil.which(t, path=os.environ.get("PATH", "")
                                                                + ":/usr/sbin")]
    if missing:
        sys.exit(f"http_bench: {' and '.join(missing)} not found: apt-get install nginx-light wrk")
    os.environ["PATH"] += ":/usr/sbin"
    if not args.unpinned and (len(os.sched_getaffinity(0)) < 2 or not shutil.which("taskset")):
        sys.exit("http_bench: pinned mode needs 2 CPUs and taskset; use --unpinned")
    pin = [] if args.unpinned else ["taskset", "-c", "0"]
    mode = ("unpinned: servers with 2 threads / 2 workers, wrk -t2, all sharing the cores"
            if args.unpinned else
            "pinned: each server on cpu0 (blockhealthd server.threads 1, nginx 1 worker), "
            "wrk -t1 on cpu1")
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    print(f"http_bench: {mode}; wrk -c{args.connections} -d{args.seconds}s, {args.runs} run(s) per "
          f"endpoint and server, alternating; {nginx_version}", flush=True)

    daemon = nginx = None
    with tempfile.TemporaryDirectory(prefix="http-bench-") as work:
        try:
            daemon, daemon_base = start_daemon(args, work, pin)
            bodies = {path: http(daemon_base + path)[0] for path in ENDPOINTS}
            nginx, nginx_base = start_nginx(args, work, pin, bodies)
            summary = []
            for path in ENDPOINTS:
                print(f"GET {path} ({len(bodies[path])} bytes):", flush=True)
                res = {"blockhealthd": [], "nginx": []}
                for run in range(1, args.runs + 1):
                    for name, base, pid in (("blockhealthd", daemon_base, daemon.pid),
                                            ("nginx", nginx_base, nginx.pid)):
                        r = wrk(args, base + path, pid)
                        res[name].append(r)
                        print(f"  run {run} {name:12}: {r['rps']:>9,.0f} req/s, p50 {r['p50']:.2f} ms, "
                              f"p99 {r['p99']:.2f} ms, server CPU {r['cpu']:.0f}%"
                              f"{'  (' + r['errors'] + ')' if r['errors'] else ''}"
                              f" | load {os.getloadavg()[0]:.1f}", flush=True)
                med = {name: {k: statistics.median(r[k] for r in rs)
                              for k in ("rps", "p50", "p99", "cpu")}
                       for name, rs in res.items()}
                summary.append((path, len(bodies[path]), med, res))
            print("\nmedians:")
            for path, size, med, res in summary:
                b, n = med["blockhealthd"], med["nginx"]
                runs = {name: ", ".join(f"{r['rps']:,.0f}" for r in rs) for name, rs in res.items()}
                print(f"GET {path} ({size} B): blockhealthd {b['rps']:,.0f} req/s "
                      f"[{runs['blockhealthd']}] p99 {b['p99']:.2f} ms CPU {b['cpu']:.0f}% | nginx "
                      f"{n['rps']:,.0f} req/s [{runs['nginx']}] p99 {n['p99']:.2f} ms CPU "
                      f"{n['cpu']:.0f}% | RATIO blockhealthd/nginx "
                      f"req/s = {b['rps'] / n['rps']:.2f}")
        finally:
            if nginx is not None:
                stop(nginx, signal.SIGQUIT)
            if daemon is not None:
                stop(daemon)


if __name__ == "__main__":
    main()
