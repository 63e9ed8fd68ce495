#!/usr/bin/env python3
"""Soak test: blockhealthd under every kind of traffic for a long time, and
whether anything grows.

    bench/soak.py --build build-perf [--minutes 60] [--sample-seconds 10]

One daemon (built-in policies only, so a Release tree without tests does)
runs for --minutes while this script, on its own threads:
  - pushes, every second, GPU temperatures and a request time to 50
    registered instances (block `pushed`, gpu_temperature and
    last_request_age) and log lines to 10 of them (block `logs`,
    log_pattern);
  - serves 20 fake instances over HTTP that the daemon pulls (block
    `pulled`: health_url and metrics_url, Prometheus text), one of which
    (`flapper`) turns unhealthy and back every 3 s, so transitions, the
    flapping detector and a webhook (served here) fire all the time;
  - keeps 20 watchers in long polls (GET /v1/blocks/<id>?index=&wait=5s and
    /v1/events?after=&wait=5s), each reconnecting when answered;
  - reloads every second (POST /v1/reload), the config alternating between
    two versions (block `extra` in one, not in the other, so policy
    instances are created and destroyed), and PUTs and DELETEs a block over
    HTTP every 5 s;
  - adds a silence and lifts it every 5 s, and registers and unregisters a
    pushed instance every 2 s;
  - reads /v1/blocks, /v1/silences, /metrics and /block/health/<id> every
    second.
Every answer is checked (status and JSON); any unexpected one is an error.
The daemon's VmRSS, threads and open descriptors (/proc/<pid>) are sampled
every --sample-seconds; the report compares the first sample after a
1-minute warm-up with the last, and lists the errors. It ends with SIGTERM,
which must exit 0.

Linux only (/proc). Python 3 standard library only.
"""
import argparse
import http.client
import http.server
import json
import os
import random
import shutil
import signal
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

PUSHED = 50
LOGGED = 10
PULLED = 20
WATCHERS = 20


class Errors:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []
        self.counts = {}

    def add(self, what):
        with self.lock:
            self.counts[what[:120]] = self.counts.get(what[:120], 0) + 1
            if len(self.items) < 50:
                self.items.append(f"{time.strftime('%H:%M:%S')} {what}")

    def total(self):
        with self.lock:
            return sum(self.counts.values())


ERRORS = Errors()
STOP = threading.Event()
REQUESTS = {"n": 0}
REQ_LOCK = threading.Lock()


class Client:
    """One keep-alive connection to the daemon; reconnects on failure."""

    def __init__(self, port, timeout=15):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def call(self, method, path, body=None, expect=(200,), content_type="application/json"):
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                           timeout=self.timeout)
                headers = {"Content-Type": content_type} if body is not None else {}
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                with REQ_LOCK:
                    REQUESTS["n"] += 1
                if resp.status not in expect:
                    ERRORS.add(f"{method} {path}: {resp.status} {data[:200]!r}")
                return resp.status, data
            except (OSError, http.client.HTTPException) as e:
                self.conn = None
                if attempt == 1 and not STOP.is_set():
                    ERRORS.add(f"{method} {path}: {type(e).__name__} {e}")
        return None, b""


def json_of(data, what):
    try:
        return json.loads(data)
    except ValueError:
        ERRORS.add(f"{what}: answer is not JSON: {data[:200]!r}")
        return None


# --- Fake instances (pulled) and the webhook receiver -----------------------

class FakeInstances(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    started = time.time()
    webhooks = {"n": 0}

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = self.path.strip("/").split("/")  # <instance>/health | <instance>/metrics
        if len(parts) != 2:
            return self.reply(404, "{}", "application/json")
        instance, what = parts
        if what == "health":
            healthy = instance != "flapper" or int((time.time() - self.started) / 3) % 2 == 0
            body = json.dumps({"success": True,
                               "data": {"status": "healthy" if healthy else "unhealthy"}})
            return self.reply(200, body, "application/json")
        temp = 60 + random.random() * 5
        text = (f'DCGM_FI_DEV_GPU_TEMP{{gpu="0"}} {temp:.1f}\n'
                f'DCGM_FI_DEV_GPU_TEMP{{gpu="1"}} {temp + 1:.1f}\n')
        return self.reply(200, text, "text/plain; version=0.0.4")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        FakeInstances.webhooks["n"] += 1
        self.reply(200, "{}", "application/json")


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


# --- The configuration --------------------------------------------------------

def config(state_dir, fake_port, webhook_url, with_extra):
    pulled = "\n".join(
        f"      - id: {name}\n"
        f"        health_url: http://127.0.0.1:{fake_port}/{name}/health\n"
        f"        metrics_url: http://127.0.0.1:{fake_port}/{name}/metrics"
        for name in ["flapper"] + [f"p{i}" for i in range(PULLED - 1)])
    extra = """
  - id: extra
    instances: [{id: e1}, {id: e2}]
    policies:
      - use: gpu_temperature
        with: { warn_celsius: 83, critical_celsius: 88 }
""" if with_extra else ""
    return f"""
state_dir: '{state_dir}'
server:
  threads: 2
  max_watches: 64
defaults:
  interval: 1s
  timeout: 500ms
  stale_after: 10s
  healthy_after: 1
  unhealthy_after: 1
blocks:
  - id: pushed
    policies:
      - use: gpu_temperature
        with: {{ warn_celsius: 83, critical_celsius: 88 }}
      - use: last_request_age
        with: {{ max_age: 1h }}
  - id: logs
    policies:
      - use: log_pattern
        with: {{ critical: ["CUDA error"], window: 1m }}
  - id: pulled
    flapping: {{ window: 10, start_percent: 40, stop_percent: 20 }}
    instances:
{pulled}
    policies:
      - use: gpu_temperature
        with: {{ warn_celsius: 83, critical_celsius: 88 }}
    on_transition:
      - webhook: {webhook_url}
{extra}"""


# --- Traffic ------------------------------------------------------------------

def every(seconds, fn):
    def loop():
        next_at = time.time()
        while not STOP.is_set():
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - any failure is a finding
                ERRORS.add(f"{fn.__name__}: {type(e).__name__} {e}")
            next_at += seconds
            STOP.wait(max(0, next_at - time.time()))
    t = threading.Thread(target=loop, name=fn.__name__, daemon=True)
    t.start()
    return t


def start_traffic(port, config_path, configs):
    threads = []
    pusher = Client(port)
    for i in range(PUSHED):
        pusher.call("PUT", f"/v1/blocks/pushed/instances/n{i}", b"")
    for i in range(LOGGED):
        pusher.call("PUT", f"/v1/blocks/logs/instances/l{i}", b"")

    def push():
        now = time.time()
        for i in range(PUSHED):
            body = json.dumps({"DCGM_FI_DEV_GPU_TEMP": 60 + random.random() * 10,
                               "last_request_timestamp_seconds": now})
            pusher.call("POST", f"/v1/blocks/pushed/instances/n{i}/metrics", body.encode())

    log_client = Client(port)

    def push_logs():
        for i in range(LOGGED):
            line = "CUDA error: illegal address" if random.random() < 0.05 else "served 1 request"
            log_client.call("POST", f"/v1/blocks/logs/instances/l{i}/logs", line.encode(),
                            content_type="text/plain")

    reloader = Client(port, timeout=30)
    flip = {"n": 0}

    def reload():
        flip["n"] += 1
        with open(config_path, "w") as f:
            f.write(configs[flip["n"] % 2])
        status, data = reloader.call("POST", "/v1/reload", b"")
        if status == 200:
            body = json_of(data, "reload")
            if body is not None and body.get("success") is not True:
                ERRORS.add(f"reload: {data[:200]!r}")

    api = Client(port)

    def api_block():
        body = json.dumps({"instances": [{"id": "a1"}],
                           "policies": [{"use": "gpu_temperature",
                                         "with": {"warn_celsius": 80,
                                                  "critical_celsius": 90}}]})
        api.call("PUT", "/v1/blocks/from-api", body.encode(), expect=(200, 201))
        api.call("DELETE", "/v1/blocks/from-api", expect=(200,))

    holds = Client(port)

    def silence():
        status, data = holds.call("POST", "/v1/silences",
                                  b'{"block": "pulled", "reason": "soak", "until": "10m"}',
                                  expect=(201,))
        if status == 201:
            body = json_of(data, "silence")
            if body:
                holds.call("DELETE", "/v1/silences/" + body["silence"]["id"])

    members = Client(port)

    def membership():
        members.call("PUT", "/v1/blocks/pushed/instances/visitor", b"")
        members.call("DELETE", "/v1/blocks/pushed/instances/visitor")

    reader = Client(port)

    def read():
        for path in ("/v1/blocks", "/v1/silences", "/block/health/pulled", "/v1/plugins"):
            status, data = reader.call("GET", path)
            if status == 200:
                json_of(data, path)
        reader.call("GET", "/metrics")

    threads += [every(1, push), every(1, push_logs), every(1, reload), every(5, api_block),
                every(5, silence), every(2, membership), every(1, read)]

    def watcher(n):
        client = Client(port, timeout=30)
        block = ["pushed", "pulled", "logs"][n % 3]
        index = 0
        after = None
        while not STOP.is_set():
            if n % 2 == 0:
                status, data = client.call("GET", f"/v1/blocks/{block}?index={index}&wait=5s",
                                           expect=(200, 503))
                body = json_of(data, "watch") if status == 200 else None
                if body:
                    index = body.get("state_index", index)
            else:
                path = "/v1/events?wait=5s" + ("" if after is None else f"&after={after}")
                status, data = client.call("GET", path, expect=(200, 503))
                body = json_of(data, "events") if status == 200 else None
                if body:
                    after = body.get("next", after)
            if status != 200:
                STOP.wait(1)

    for n in range(WATCHERS):
        t = threading.Thread(target=watcher, args=(n,), daemon=True)
        t.start()
        threads.append(t)
    return threads


# --- Measuring ----------------------------------------------------------------

def sample(pid):
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    return {"t": time.time(), "rss_kib": int(status["VmRSS"].split()[0]),
            "threads": int(status["Threads"]), "fds": fds, "cpu_s": cpu}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument("--warmup-seconds", type=float, default=60)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bh-soak-")
    fake = ThreadingServer(("127.0.0.1", 0), FakeInstances)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    fake_port = fake.server_address[1]
    webhook = f"http://127.0.0.1:{fake_port}/hook"
    state_dir = os.path.join(work, "state")
    configs = [config(state_dir, fake_port, webhook, False),
               config(state_dir, fake_port, webhook, True)]
    config_path = os.path.join(work, "blockhealth.yaml")
    with open(config_path, "w") as f:
        f.write(configs[0])
    port_file = os.path.join(work, "port")
    log_path = os.path.join(work, "daemon.log")
    log = open(log_path, "w")
    # SOAK_WRAPPER (e.g. "gdb -batch -ex run -ex bt --args") runs the daemon under a tool.
    wrapper = os.environ.get("SOAK_WRAPPER", "").split()
    proc = subprocess.Popen(wrapper + [os.path.join(args.build, "bin", "blockhealthd"), "-c", config_path,
                             "--listen", "127.0.0.1:0", "--port-file", port_file,
                             "--log-level", "warn"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while not os.path.exists(port_file):
        if time.time() > deadline or proc.poll() is not None:
            sys.exit(f"blockhealthd did not start; log in {log_path}")
        time.sleep(0.05)
    port = int(open(port_file).read().strip().rsplit(":", 1)[1])

    started = time.time()
    start_traffic(port, config_path, configs)
    samples = []
    end = started + args.minutes * 60
    while time.time() < end and proc.poll() is None:
        time.sleep(args.sample_seconds)
        if proc.poll() is not None:
            break
        samples.append(sample(proc.pid))
    died = proc.poll()
    if died is not None:
        ERRORS.add(f"blockhealthd died with exit status {died}")
    STOP.set()
    time.sleep(6)  # watchers' long polls end
    exit_code = died
    if died is None:
        proc.send_signal(signal.SIGTERM)
        try:
            exit_code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            exit_code = "did not stop within 60 s of SIGTERM"
    log.close()

    warm = [s for s in samples if s["t"] - started >= args.warmup_seconds] or samples
    first, last = warm[0], warm[-1]
    minutes = (last["t"] - first["t"]) / 60
    rss_slope = 0.0
    if len(warm) > 2:
        xs = [(s["t"] - first["t"]) / 60 for s in warm]
        ys = [s["rss_kib"] for s in warm]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        den = sum((x - mx) ** 2 for x in xs)
        rss_slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0
    with open(log_path, errors="replace") as f:
        log_lines = f.read().splitlines()
    report = {
        "minutes": round((time.time() - started) / 60, 1),
        "measured_minutes": round(minutes, 1),
        "requests": REQUESTS["n"],
        "webhooks_received": FakeInstances.webhooks["n"],
        "start": {k: first[k] for k in ("rss_kib", "threads", "fds")},
        "end": {k: last[k] for k in ("rss_kib", "threads", "fds")},
        "max": {k: max(s[k] for s in warm) for k in ("rss_kib", "threads", "fds")},
        "rss_slope_kib_per_minute": round(rss_slope, 1),
        # RSS at each 10 minutes of the measured window: does it level off?
        "rss_kib_every_10_minutes": [s["rss_kib"] for s in warm
                                     if int((s["t"] - first["t"]) // 600) !=
                                     int((s["t"] - first["t"] - args.sample_seconds) // 600)],
        "cpu_seconds": round(last["cpu_s"], 1),
        "errors": ERRORS.total(),
        "error_kinds": ERRORS.counts,
        "first_errors": ERRORS.items[:20],
        "daemon_log_lines": len(log_lines),
        "daemon_log_tail": log_lines[-10:],
        "exit_code": exit_code,
    }
    ok = ERRORS.total() == 0 and exit_code == 0 and died is None
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    else:
        report["kept"] = work  # the daemon's log and state, to look into
    print(json.dumps(report, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
