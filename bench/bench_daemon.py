"""The daemon as the benchmarks start it: blockhealthd from a build tree on a
temporary config, on a free loopback port, stopped and cleaned up on exit.

    with bench_daemon.started("build-perf", yaml) as (host, port): ...

Python 3 standard library only.
"""
import contextlib
import os
import shutil
import subprocess
import tempfile
import time


@contextlib.contextmanager
def started(build, config_yaml, start_seconds=20):
    work = tempfile.mkdtemp(prefix="bh-bench-")
    config = os.path.join(work, "blockhealth.yaml")
    with open(config, "w") as f:
        f.write(config_yaml)
    port_file = os.path.join(work, "port")
    proc = subprocess.Popen([os.path.join(build, "bin", "blockhealthd"), "-c", config,
                             "--listen", "127.0.0.1:0", "--port-file", port_file,
                             "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + start_seconds
        while not os.path.exists(port_file):
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit(f"blockhealthd did not start (config {config})")
            time.sleep(0.05)
        host, port = open(port_file).read().strip().rsplit(":", 1)
        yield host, int(port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
