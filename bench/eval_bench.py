#!/usr/bin/env python3
"""Evaluation cost of blockhealthd against Prometheus rule evaluation, same run, same box.

    bench/eval_bench.py --build build-rel --instances 1000,10000 [--seconds 30]
                        [--warmup 5] [--runs 3] [--skip-prometheus]

For each N in --instances, and --runs times, the script starts two programs,
one after the other, each pinned to cpu0 (`taskset -c 0`), while the script
itself (pusher, scrape target) runs on cpu1:

Prometheus (the anchor). A static HTTP target served by this script exposes
N instances x 3 series:
    DCGM_FI_DEV_GPU_TEMP{instance_id="i7",block="b0",gpu="0"} 63
    log_errors_total{instance_id="i7",block="b0"} 0
    last_request_timestamp_seconds{instance_id="i7",block="b0"} 1764290000
(the temperature and the timestamp change every second), scraped every 1 s,
and one rule group, evaluated every 1 s, with one threshold alert per kind:
    DCGM_FI_DEV_GPU_TEMP > 83
    increase(log_errors_total[1m]) > 0
    time() - last_request_timestamp_seconds > 3600
Over the window the script samples Prometheus's own /metrics every second:
prometheus_rule_group_last_duration_seconds (the wall time of one evaluation
of the group; median of the samples) and _iterations_total / _missed_total,
and reads its process CPU (utime + stime from /proc/<pid>/stat) and VmRSS.

blockhealthd. A config of N/10 blocks x 10 instances, every instance
declared with no URLs (fed by push), the three built-in policies on every
block (gpu_temperature warn 83 / critical 88, log_pattern on "CUDA error" and
"out of memory" over 60s, last_request_age max_age 1h), interval 1s,
stale_after 1h (nothing goes stale during the run), server.threads 1. The
pusher sends, on a few keep-alive connections with HTTP/1.1 pipelining, once
per second for every instance:
    POST /v1/blocks/<b>/instances/<i>/metrics   (JSON: GPU temperature and
        last_request_timestamp_seconds, both new every second)
    POST /v1/blocks/<b>/instances/<i>/logs      (one line that matches no
        pattern; every --log-every seconds)
The daemon's CPU time is measured over four windows:
    (1) idle: every block paused (mgmt action "pause"), no pushes;
    (2) ingest only: paused, pushes;
    (3) ingest + evaluate: resumed, pushes;
    (4) nothing changed: resumed, no pushes.
and reported per tick (interval 1 s, so ms of CPU per second):
    eval ms/tick, every instance changed  = (3) - (2)
    nothing-changed ms/tick               = (4) - (1)
    total CPU in (3), VmRSS after start (paused, no observations) and at the end,
    and the ratio Prometheus rule-group ms/tick / blockhealthd eval ms/tick.
Prometheus's figure is the wall time of the group's evaluation on its pinned
core; blockhealthd's is CPU time. Both include only evaluation, not
ingestion (scrape / push) — for Prometheus its total CPU is printed too.

The daemon "keeps up" when, in (3), the pusher's requests are all answered
within the second they were sent (else "ingest saturated") and every policy
result of a sample of blocks is at most 2.5 s old (GET /v1/blocks/<id>,
instances[].policies[].evaluated_at; else "eval saturated"). The rate of
policy calls (GET /v1/plugins, policies[].calls) is printed for information.
Phases synchronise on the daemon's answers (/readyz, every block paused, every
block "ok" after resume), each with a deadline (--max-start-seconds), so a
daemon that cannot keep up is reported, not waited for forever.

Linux only (/proc, taskset). Python 3 standard library only. The soft limit
on open files is raised to the hard limit, as in pull_daemon_bench.py.
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PER_BLOCK = 10
# Placeholders in the pre-built request and exposition buffers, replaced by
# the current values (same width) right before each send.
TS = b"@TIMESTAMP"  # 10 digits: Unix seconds
TEMP = b"@T"        # 2 digits: a core temperature, 60..69


# ---------------------------------------------------------------- process helpers

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


def status_kib(pid, key):
    """A kB field of /proc/<pid>/status (VmRSS, VmHWM) in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def wait_until(what, deadline, proc, check, period=0.1):
    """Polls check() until it returns a true value; exits the run on timeout."""
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode}")
        try:
            value = check()
            if value:
                return value
        except (OSError, ValueError):
            pass  # not up yet
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(period)


def stop(proc, timeout=120):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class CpuWindow:
    """CPU time (ms per second of wall time) of one process over a timed window."""

    def __init__(self, pid):
        self.pid = pid
        self.cpu0, self.t0 = cpu_seconds(pid), time.monotonic()

    def end(self):
        cpu1, t1 = cpu_seconds(self.pid), time.monotonic()
        return 1000.0 * (cpu1 - self.cpu0) / (t1 - self.t0)


# ---------------------------------------------------------------- pipelined HTTP

class Counter:
    """Counts HTTP/1.1 responses in a byte stream (status lines), across reads."""

    START = b"HTTP/1.1 "
    OK = b"HTTP/1.1 200 "

    def __init__(self):
        self.tail = b""
        self.responses = 0
        self.ok = 0

    def feed(self, data):
        chunk = self.tail + data
        self.responses += chunk.count(self.START) - self.tail.count(self.START)
        self.ok += chunk.count(self.OK) - self.tail.count(self.OK)
        self.tail = chunk[-(len(self.OK) - 1):]


def pipelined(address, requests, deadline, conns=4):
    """Sends every request (bytes) over `conns` keep-alive connections, pipelined;
    returns (responses, 200 responses) once all are answered, or what was
    answered by the deadline (time.monotonic())."""
    host, port = address.rsplit(":", 1)
    shares = [requests[k::conns] for k in range(conns)]
    results = []

    def one(share):
        counter = Counter()
        try:
            with socket.create_connection((host, int(port)), timeout=10) as s:
                sender = threading.Thread(target=s.sendall, args=(b"".join(share),), daemon=True)
                sender.start()
                while counter.responses < len(share):
                    s.settimeout(max(0.01, deadline - time.monotonic()))
                    data = s.recv(1 << 20)
                    if not data:
                        break
                    counter.feed(data)
        except OSError:
            pass  # timed out or refused: counted as unanswered
        results.append((counter.responses, counter.ok))

    threads = [threading.Thread(target=one, args=(sh,)) for sh in shares if sh]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(r for r, _ in results), sum(o for _, o in results)


class Pusher:
    """Sends one pre-built batch of pipelined requests per connection every second.

    Each connection has a writer thread (sleeps to the next whole second, fills
    in the placeholders, sendall) and a reader thread (counts responses). A
    tick whose batch would leave more than two batches unanswered is skipped
    (counted), so a daemon that cannot keep up is measured, not buried."""

    def __init__(self, address, batches, log_batches, log_every):
        host, port = address.rsplit(":", 1)
        self.addr = (host, int(port))
        self.running = True
        self.conns = []
        for plain, with_logs in zip(batches, log_batches):
            c = {"plain": plain, "logs": with_logs, "sent": 0, "counter": Counter(),
                 "skipped": 0, "late": 0, "ticks": 0, "error": None,
                 "n_plain": plain.count(b"HTTP/1.1\r\n"),
                 "n_logs": with_logs.count(b"HTTP/1.1\r\n")}
            c["sock"] = socket.create_connection(self.addr, timeout=30)
            c["sock"].settimeout(None)  # a slow daemon is waited for; stop() unblocks
            self.conns.append(c)
        self.log_every = log_every
        self.threads = []
        for c in self.conns:
            self.threads.append(threading.Thread(target=self._write, args=(c,), daemon=True))
            self.threads.append(threading.Thread(target=self._read, args=(c,), daemon=True))
        for t in self.threads:
            t.start()

    def _write(self, c):
        tick = int(time.time()) + 1
        try:
            while self.running:
                delay = tick - time.time()
                if delay > 0:
                    time.sleep(delay)
                if not self.running:
                    break
                c["ticks"] += 1
                logs = self.log_every > 0 and tick % self.log_every == 0
                buf, n = (c["logs"], c["n_logs"]) if logs else (c["plain"], c["n_plain"])
                if c["sent"] - c["counter"].responses > 2 * n:
                    c["skipped"] += 1
                else:
                    buf = buf.replace(TS, b"%010d" % tick).replace(TEMP, b"%02d" % (60 + tick % 10))
                    c["sock"].sendall(buf)
                    c["sent"] += n
                if time.time() > tick + 1:
                    c["late"] += 1  # this second's batch took more than a second to send
                tick = max(tick + 1, int(time.time()))
        except OSError as e:
            c["error"] = str(e)

    def _read(self, c):
        try:
            while True:
                data = c["sock"].recv(1 << 20)
                if not data:
                    break
                c["counter"].feed(data)
        except OSError as e:
            if self.running:
                c["error"] = str(e)

    def counts(self):
        """(sent, answered, answered 200, skipped ticks, late ticks, errors)"""
        return (sum(c["sent"] for c in self.conns),
                sum(c["counter"].responses for c in self.conns),
                sum(c["counter"].ok for c in self.conns),
                sum(c["skipped"] for c in self.conns),
                sum(c["late"] for c in self.conns),
                [c["error"] for c in self.conns if c["error"]])

    def stop(self, drain_seconds=30):
        self.running = False
        deadline = time.monotonic() + drain_seconds
        while time.monotonic() < deadline:
            sent, answered = self.counts()[:2]
            if answered >= sent:
                break
            time.sleep(0.05)
        for c in self.conns:
            try:
                c["sock"].shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c["sock"].close()


def request(method, path, body=b"", content_type="application/json"):
    head = (f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    return head + body


# ---------------------------------------------------------------- blockhealthd

POLICIES = """\
    policies:
      - use: gpu_temperature
        with: { warn_celsius: 83, critical_celsius: 88 }
      - use: log_pattern
        with: { critical: ["CUDA error", "out of memory"], window: 60s }
      - use: last_request_age
        with: { max_age: 1h }
"""


def block_ids(n_blocks):
    return [f"b{b}" for b in range(n_blocks)]


def instance_ids(b):
    return [f"i{b * PER_BLOCK + k}" for k in range(PER_BLOCK)]


def write_daemon_config(path, state_dir, n_blocks, threads):
    parts = [f"server:\n  threads: {threads}\nstate_dir: {state_dir}\n"
             "defaults:\n  interval: 1s\n  timeout: 1s\n  stale_after: 1h\nblocks:\n"]
    for b in range(n_blocks):
        parts.append(f"  - id: b{b}\n    instances:\n")
        parts.append("".join(f"      - id: {i}\n" for i in instance_ids(b)))
        parts.append(POLICIES)
    with open(path, "w") as f:
        f.write("".join(parts))


def push_batches(n_blocks, conns):
    """Per connection: the metrics pushes of its instances, and the same with a
    log push after each. Instance k goes on connection k % conns."""
    plain = [[] for _ in range(conns)]
    logs = [[] for _ in range(conns)]
    for b in range(n_blocks):
        for i in instance_ids(b):
            k = int(i[1:]) % conns
            base = f"/v1/blocks/b{b}/instances/{i}"
            metrics = request("POST", base + "/metrics",
                              b'[{"name":"DCGM_FI_DEV_GPU_TEMP","labels":{"gpu":"0"},"value":'
                              + TEMP + b'},{"name":"last_request_timestamp_seconds","value":'
                              + TS + b"}]")
            line = request("POST", base + "/logs",
                           b'["INFO request served in 12 ms at ' + TS + b'"]')
            plain[k].append(metrics)
            logs[k].append(metrics + line)
    return [b"".join(x) for x in plain], [b"".join(x) for x in logs]


def blocks_view(address):
    return json.loads(http_get(f"http://{address}/v1/blocks"))["blocks"]


def policy_calls(address):
    """Sum of policies[].calls, errors and timeouts from GET /v1/plugins, and when."""
    t = time.monotonic()
    plugins = json.loads(http_get(f"http://{address}/v1/plugins"))
    pol = plugins.get("policies", [])
    return (t, sum(p.get("calls", 0) for p in pol), sum(p.get("errors", 0) for p in pol),
            sum(p.get("timeouts", 0) for p in pol), len(pol))


def parse_time(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()


def oldest_result_age(address, blocks):
    """Largest age (s) of any policy result of any instance of these blocks."""
    now = time.time()
    worst = 0.0
    for b in blocks:
        view = json.loads(http_get(f"http://{address}/v1/blocks/{b}"))
        for inst in view["instances"]:
            for p in inst.get("policies", []):
                at = p.get("evaluated_at")
                worst = max(worst, now - parse_time(at) if at else float("inf"))
    return worst


def set_paused(address, n_blocks, paused, deadline):
    action = b'{"mgmt_action":"pause"}' if paused else b'{"mgmt_action":"resume"}'
    reqs = [request("POST", f"/block/{b}/health-checker/mgmt", action)
            for b in block_ids(n_blocks)]
    answered, ok = pipelined(address, reqs, deadline)
    if ok != n_blocks:
        raise RuntimeError(f"mgmt {'pause' if paused else 'resume'}: {ok} of {n_blocks} "
                           f"blocks answered 200 ({answered} answers)")


def run_daemon(args, n, work):
    n_blocks = (n + PER_BLOCK - 1) // PER_BLOCK
    run_dir = tempfile.mkdtemp(prefix="daemon-", dir=work)
    config = os.path.join(run_dir, "blockhealth.yaml")
    state = os.path.join(run_dir, "state")
    os.makedirs(state)
    write_daemon_config(config, state, n_blocks, args.server_threads)
    port_file = os.path.join(run_dir, "port")
    log = open(os.path.join(run_dir, "daemon.log"), "w")
    cmd = [os.path.join(args.build, "bin", "blockhealthd"), "--config", config,
           "--listen", "127.0.0.1:0", "--port-file", port_file, "--log-level", "warn"]
    daemon = subprocess.Popen(args.pin_server + cmd, stdout=subprocess.DEVNULL, stderr=log)
    r = {"n": n_blocks * PER_BLOCK, "blocks": n_blocks, "notes": []}
    pusher = None
    try:
        t0 = time.monotonic()
        deadline = t0 + args.max_start_seconds
        wait_until("blockhealthd port file", deadline, daemon,
                   lambda: os.path.exists(port_file) and os.path.getsize(port_file) > 0)
        address = open(port_file).read().strip()
        wait_until("blockhealthd /readyz", deadline, daemon,
                   lambda: http_get(f"http://{address}/readyz", timeout=10))
        r["start_s"] = time.monotonic() - t0
        set_paused(address, n_blocks, True, deadline)
        wait_until("every block paused", deadline, daemon,
                   lambda: all(b["paused"] for b in blocks_view(address)), period=0.5)
        r["ready_paused_s"] = time.monotonic() - t0

        # (1) idle: paused, no pushes.
        time.sleep(args.warmup)
        r["rss_start"] = status_kib(daemon.pid, "VmRSS") / 1024
        w = CpuWindow(daemon.pid)
        time.sleep(args.seconds)
        r["idle"] = w.end()

        # (2) ingest only: paused, every instance pushed once a second.
        batches, log_batches = push_batches(n_blocks, args.conns)
        pusher = Pusher(address, batches, log_batches, args.log_every)
        per_second = n_blocks * PER_BLOCK * (1 + (1 / args.log_every if args.log_every else 0))
        r["push_target"] = per_second
        time.sleep(args.warmup)
        r["ingest"], r["push_ingest"] = measure_with_pushes(args, daemon, pusher)

        # (3) ingest + evaluate: resumed, same pushes.
        t_resume = time.monotonic()
        set_paused(address, n_blocks, False, t_resume + args.max_start_seconds)
        try:
            wait_until("every block ok after resume", t_resume + args.max_start_seconds, daemon,
                       lambda: all(b["status"] == "ok" for b in blocks_view(address)),
                       period=0.5)
            r["all_ok_s"] = time.monotonic() - t_resume
        except TimeoutError:
            r["notes"].append(f"not every block ok within {args.max_start_seconds}s of resume")
        time.sleep(args.warmup)
        calls0 = policy_calls(address)
        r["eval_total"], r["push_eval"] = measure_with_pushes(args, daemon, pusher)
        calls1 = policy_calls(address)
        sample = block_ids(n_blocks)[::max(1, n_blocks // args.sample_blocks)][:args.sample_blocks]
        r["result_age"] = oldest_result_age(address, sample)
        r["calls_rate"] = (calls1[1] - calls0[1]) / (calls1[0] - calls0[0])
        r["calls_expected"] = calls1[4]  # policies, each due once a second
        r["call_errors"] = (calls1[2] - calls0[2]) + (calls1[3] - calls0[3])

        # (4) nothing changed: resumed, no pushes.
        pusher.stop()
        pusher = None
        time.sleep(args.warmup)
        w = CpuWindow(daemon.pid)
        time.sleep(args.seconds)
        r["nochange"] = w.end()
        r["rss_end"] = status_kib(daemon.pid, "VmRSS") / 1024
        r["hwm_end"] = status_kib(daemon.pid, "VmHWM") / 1024
        r["load"] = os.getloadavg()[0]
    except (TimeoutError, RuntimeError) as e:
        r["notes"].append(f"gave up: {e}")
        r["failed"] = True
        if daemon.poll() is None:  # what a daemon that could not keep up was doing
            w = CpuWindow(daemon.pid)
            time.sleep(5)
            r["notes"].append(f"then: CPU {w.end():.0f} ms/s, VmRSS "
                              f"{status_kib(daemon.pid, 'VmRSS') / 1024:.0f} MiB, "
                              f"{time.monotonic() - t0:.0f}s after start")
    finally:
        if pusher is not None:
            pusher.stop(drain_seconds=1)
        stop(daemon)
        log.close()
    if daemon.returncode not in (0, None):
        r["notes"].append(f"blockhealthd exited with {daemon.returncode}; log: "
                          + open(os.path.join(run_dir, "daemon.log")).read()[-500:])
    shutil.rmtree(run_dir, ignore_errors=True)
    if not r.get("failed"):
        r["eval"] = r["eval_total"] - r["ingest"]
        r["nochange_ms"] = r["nochange"] - r["idle"]
        judge_keeping_up(r)
    return r


def measure_with_pushes(args, daemon, pusher):
    """CPU over one window while pushing, and the pusher's figures over it."""
    s0 = pusher.counts()
    w = CpuWindow(daemon.pid)
    t0 = time.monotonic()
    time.sleep(args.seconds)
    cpu = w.end()
    s1 = pusher.counts()
    dt = time.monotonic() - t0
    return cpu, {"answered_rate": (s1[2] - s0[2]) / dt,
                 "backlog": s1[0] - s1[1],  # sent, not yet answered, at the window's end
                 "non200": (s1[1] - s1[2]) - (s0[1] - s0[2]),
                 "skipped": s1[3] - s0[3], "late": s1[4] - s0[4], "errors": s1[5]}


def judge_keeping_up(r):
    verdict = []
    for phase in ("push_ingest", "push_eval"):
        p = r[phase]
        if (p["skipped"] or p["late"] or p["errors"] or p["backlog"] > r["push_target"]
                or p["answered_rate"] < 0.95 * r["push_target"]):
            verdict.append(f"ingest saturated in {'(2)' if phase == 'push_ingest' else '(3)'}: "
                           f"{p['answered_rate']:.0f} of {r['push_target']:.0f} pushes/s answered, "
                           f"{p['backlog']} unanswered at the end, {p['skipped']} "
                           f"connection-ticks skipped, {p['late']} late"
                           + (f", errors {p['errors']}" if p["errors"] else ""))
        if p["non200"]:
            verdict.append(f"{p['non200']} push answers not 200 in {phase}")
    if r["result_age"] > 2.5:
        verdict.append(f"eval saturated: oldest sampled policy result {r['result_age']:.1f}s old")
    r["saturated"] = bool(verdict)
    r["notes"] += verdict


# ---------------------------------------------------------------- Prometheus

class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # Prometheus cutting a scrape at its timeout is reported from `up`, not here


class Exposition(BaseHTTPRequestHandler):
    """Serves the pre-built exposition, with this second's values filled in."""
    template = b""

    def do_GET(self):
        now = int(time.time())
        body = self.template.replace(TS, b"%010d" % now).replace(TEMP, b"%02d" % (60 + now % 10))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def exposition(n):
    temp, errors, last = [], [], []
    for i in range(n):
        lab = f'instance_id="i{i}",block="b{i // PER_BLOCK}"'.encode()
        temp.append(b"DCGM_FI_DEV_GPU_TEMP{" + lab + b',gpu="0"} ' + TEMP + b"\n")
        errors.append(b"log_errors_total{" + lab + b"} 0\n")
        last.append(b"last_request_timestamp_seconds{" + lab + b"} " + TS + b"\n")
    return b"".join([b"# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n"] + temp
                    + [b"# TYPE log_errors_total counter\n"] + errors
                    + [b"# TYPE last_request_timestamp_seconds gauge\n"] + last)


PROM_RULES = """\
groups:
  - name: bench
    interval: 1s
    rules:
      - alert: GpuTooHot
        expr: DCGM_FI_DEV_GPU_TEMP > 83
      - alert: LogErrors
        expr: increase(log_errors_total[1m]) > 0
      - alert: NoRecentRequest
        expr: time() - last_request_timestamp_seconds > 3600
"""


def prom_metric(text, name):
    """Sum of the samples of one metric in Prometheus text (None when absent)."""
    values = re.findall(r"^" + re.escape(name) + r"(?:\{[^}]*\})? (\S+)$", text, re.M)
    return sum(float(v) for v in values) if values else None


def run_prometheus(args, n, work):
    run_dir = tempfile.mkdtemp(prefix="prometheus-", dir=work)
    Exposition.template = exposition(n)
    target = QuietServer(("127.0.0.1", 0), Exposition)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    with open(os.path.join(run_dir, "rules.yml"), "w") as f:
        f.write(PROM_RULES)
    with open(os.path.join(run_dir, "prometheus.yml"), "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                f"rule_files: [{os.path.join(run_dir, 'rules.yml')}]\n"
                "scrape_configs:\n  - job_name: instances\n"
                f"    static_configs: [{{targets: ['127.0.0.1:{target.server_port}']}}]\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(run_dir, "prometheus.log"), "w")
    prom = subprocess.Popen(args.pin_server + [
        args.prometheus, f"--config.file={os.path.join(run_dir, 'prometheus.yml')}",
        f"--storage.tsdb.path={os.path.join(run_dir, 'data')}",
        f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=log)
    r = {"n": n, "notes": []}
    try:
        deadline = time.monotonic() + args.max_start_seconds
        wait_until("prometheus /-/ready", deadline, prom, lambda: http_get(base + "/-/ready"))
        # Every series scraped once, then the rule group has run on them.
        wait_until("prometheus head series", deadline, prom,
                   lambda: (prom_metric(http_get(base + "/metrics").decode(),
                                        "prometheus_tsdb_head_series") or 0) >= 3 * n,
                   period=0.5)
        it0 = prom_metric(http_get(base + "/metrics").decode(),
                          "prometheus_rule_group_iterations_total") or 0
        wait_until("prometheus rule evaluations", deadline, prom,
                   lambda: (prom_metric(http_get(base + "/metrics").decode(),
                                        "prometheus_rule_group_iterations_total") or 0) >= it0 + 2,
                   period=0.5)
        time.sleep(args.warmup)
        first = http_get(base + "/metrics").decode()
        w = CpuWindow(prom.pid)
        t_end = time.monotonic() + args.seconds
        durations = []
        while time.monotonic() < t_end:
            time.sleep(1)
            d = prom_metric(http_get(base + "/metrics").decode(),
                            "prometheus_rule_group_last_duration_seconds")
            if d is not None:
                durations.append(d)
        r["cpu"] = w.end()
        if not durations:
            raise RuntimeError("no prometheus_rule_group_last_duration_seconds sample")
        last = http_get(base + "/metrics").decode()
        delta = lambda name: (prom_metric(last, name) or 0) - (prom_metric(first, name) or 0)
        r["iterations"] = delta("prometheus_rule_group_iterations_total")
        r["missed"] = delta("prometheus_rule_group_iterations_missed_total")
        r["rule_ms"] = 1000 * statistics.median(durations)
        r["rule_ms_min"] = 1000 * min(durations)
        r["samples"] = len(durations)
        r["rule_ms_max"] = 1000 * max(durations)
        r["rss"] = status_kib(prom.pid, "VmRSS") / 1024
        q = json.loads(http_get(base + "/api/v1/query?query=scrape_duration_seconds"))
        r["scrape_s"] = float(q["data"]["result"][0]["value"][1]) if q["data"]["result"] else None
        up = json.loads(http_get(base + "/api/v1/query?query=up"))["data"]["result"]
        r["up"] = up[0]["value"][1] == "1" if up else False
        if not r["up"]:
            r["notes"].append("scrape failing (up == 0): the 1 s scrape does not fit in 1 s")
        if r["missed"] or r["rule_ms"] > 1000:
            r["notes"].append(f"saturated: {r['missed']:.0f} rule group iterations missed")
            r["saturated"] = True
        r["load"] = os.getloadavg()[0]
    except (TimeoutError, RuntimeError) as e:
        r["notes"].append(f"gave up: {e}")
        r["failed"] = True
    finally:
        stop(prom)
        log.close()
        target.shutdown()
        target.server_close()
    shutil.rmtree(run_dir, ignore_errors=True)
    return r


# ---------------------------------------------------------------- report

def fmt(v, spec=".1f"):
    return "n/a" if v is None else format(v, spec)


def print_daemon(run, r):
    if r.get("failed"):
        print(f"  blockhealthd run {run}: N={r['n']} ({r['blocks']} blocks) FAILED"
              + (f" (ready in {r['start_s']:.1f}s)" if "start_s" in r else "")
              + f": {'; '.join(r['notes'])}", flush=True)
        return
    print(f"  blockhealthd run {run}: N={r['n']} ({r['blocks']} blocks), ready in "
          f"{r['start_s']:.1f}s, all paused {r['ready_paused_s']:.1f}s, all ok "
          f"{fmt(r.get('all_ok_s'))}s after resume | CPU ms/s: "
          f"(1) idle {r['idle']:.1f}, (2) ingest {r['ingest']:.1f}, (3) ingest+eval "
          f"{r['eval_total']:.1f}, (4) nothing changed {r['nochange']:.1f} | eval ms/tick "
          f"{r['eval']:.1f}, nothing-changed ms/tick {r['nochange_ms']:.1f} | RSS "
          f"{r['rss_start']:.0f} -> {r['rss_end']:.0f} MiB (peak {r['hwm_end']:.0f}) | pushes "
          f"answered {r['push_ingest']['answered_rate']:.0f}/{r['push_eval']['answered_rate']:.0f} "
          f"of {r['push_target']:.0f}/s | policy calls {r['calls_rate']:.0f}/s of "
          f"{r['calls_expected']} due, errors+timeouts {r['call_errors']}, oldest result "
          f"{r['result_age']:.1f}s | load {r['load']:.1f}"
          + (f" | {'; '.join(r['notes'])}" if r["notes"] else ""), flush=True)


def print_prom(run, r):
    if r.get("failed"):
        print(f"  prometheus   run {run}: FAILED: {'; '.join(r['notes'])}", flush=True)
        return
    print(f"  prometheus   run {run}: N={r['n']} ({3 * r['n']} series) | rule group "
          f"{r['rule_ms']:.2f} ms/tick (median of {r['samples']} 1 s samples; min "
          f"{r['rule_ms_min']:.2f}, max {r['rule_ms_max']:.2f}) | "
          f"{r['iterations']:.0f} iterations, {r['missed']:.0f} missed | process CPU "
          f"{r['cpu']:.1f} ms/s (scrape + ingest + rules) | RSS {r['rss']:.0f} MiB | scrape "
          f"{fmt(r['scrape_s'], '.3f')}s | load {r['load']:.1f}"
          + (f" | {'; '.join(r['notes'])}" if r["notes"] else ""), flush=True)


def median_of(results, key):
    values = [r[key] for r in results if not r.get("failed") and r.get(key) is not None]
    return (statistics.median(values), values) if values else (None, [])


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--instances", default="1000",
                   help="comma-separated list, e.g. 1000,10000,100000 (rounded up to blocks of 10)")
    p.add_argument("--seconds", type=int, default=30, help="length of each measured window")
    p.add_argument("--warmup", type=int, default=5, help="seconds before each window")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--skip-prometheus", action="store_true")
    p.add_argument("--prometheus", default=os.path.join(REPO, ".deps/prometheus/usr/bin/prometheus"))
    p.add_argument("--max-start-seconds", type=int, default=600,
                   help="deadline of each synchronisation step (start, pause, all ok)")
    p.add_argument("--conns", type=int, default=4, help="pusher keep-alive connections")
    p.add_argument("--log-every", type=int, default=1,
                   help="push one log line per instance every this many seconds (0: never)")
    p.add_argument("--server-threads", type=int, default=1, help="blockhealthd server.threads")
    p.add_argument("--sample-blocks", type=int, default=20,
                   help="blocks whose result ages are checked after window (3)")
    p.add_argument("--no-pin", action="store_true", help="do not pin to cpu0/cpu1")
    args = p.parse_args()
    # SIGTERM (e.g. from timeout(1)) unwinds like Ctrl-C, so the daemon and
    # Prometheus are stopped by the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(x) for x in args.instances.split(",") if x]
    if not args.skip_prometheus and not os.access(args.prometheus, os.X_OK):
        sys.exit(f"no Prometheus at {args.prometheus}: run scripts/install-deps.sh, or "
                 "pass --prometheus PATH or --skip-prometheus")
    raise_fd_limit(4096)

    cpus = sorted(os.sched_getaffinity(0))
    if not args.no_pin and len(cpus) >= 2 and shutil.which("taskset"):
        args.pin_server = ["taskset", "-c", str(cpus[0])]
        os.sched_setaffinity(0, set(cpus[1:]))  # this script: pusher and scrape target
        pinning = (f"blockhealthd and Prometheus pinned to cpu{cpus[0]} (taskset), "
                   f"this script (pusher, scrape target) on cpu{','.join(map(str, cpus[1:]))}")
    else:
        args.pin_server = []
        pinning = "not pinned"
    print(f"eval_bench: {os.cpu_count()} CPUs, {pinning}; windows of {args.seconds}s after "
          f"{args.warmup}s warm-up, {args.runs} run(s) per N; pushes on {args.conns} pipelined "
          f"connections, a log line every {args.log_every}s; server.threads "
          f"{args.server_threads}", flush=True)

    summary = []
    with tempfile.TemporaryDirectory(prefix="eval-bench-") as work:
        for n in sizes:
            print(f"N = {n}:", flush=True)
            daemon_runs, prom_runs = [], []
            for run in range(1, args.runs + 1):
                if not args.skip_prometheus:
                    prom_runs.append(run_prometheus(args, n, work))
                    print_prom(run, prom_runs[-1])
                daemon_runs.append(run_daemon(args, n, work))
                print_daemon(run, daemon_runs[-1])
            summary.append((n, daemon_runs, prom_runs))

    print("\nmedians (ms of CPU per 1 s tick unless noted; runs in brackets):")
    for n, daemon_runs, prom_runs in summary:
        ev, evs = median_of(daemon_runs, "eval")
        nc, ncs = median_of(daemon_runs, "nochange_ms")
        tot, tots = median_of(daemon_runs, "eval_total")
        rs, _ = median_of(daemon_runs, "rss_start")
        re_, _ = median_of(daemon_runs, "rss_end")
        pr, prs = median_of(prom_runs, "rule_ms")
        pc, _ = median_of(prom_runs, "cpu")
        sat = sum(1 for r in daemon_runs if r.get("saturated") or r.get("failed"))
        psat = sum(1 for r in prom_runs if r.get("saturated") or r.get("failed"))
        show = lambda vs: ", ".join(f"{v:.1f}" for v in vs)
        print(f"N={n}: blockhealthd eval (every instance changed) {fmt(ev)} [{show(evs)}] | "
              f"nothing changed {fmt(nc)} [{show(ncs)}] | total CPU in (3) {fmt(tot)} "
              f"[{show(tots)}] | RSS {fmt(rs, '.0f')} -> {fmt(re_, '.0f')} MiB"
              + (f" | SATURATED or failed in {sat} of {len(daemon_runs)} runs" if sat else ""))
        if prom_runs:
            ratio = f"{pr / ev:.2f}" if pr is not None and ev and ev > 0 else "n/a"
            if sat or psat:
                ratio += " (not meaningful: a side saturated)"
            print(f"       prometheus rule group {fmt(pr, '.2f')} ms [{show(prs)}], process CPU "
                  f"{fmt(pc)} ms/s"
                  + (f" | SATURATED or failed in {psat} of {len(prom_runs)} runs" if psat else "")
                  + f" | RATIO prometheus rule ms / blockhealthd eval ms = {ratio}")


if __name__ == "__main__":
    main()
