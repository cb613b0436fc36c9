"""Is a pre-imported TensorFlow process safe to fork per submission, and what would it save? Measured, not assumed.

Times, side by side in one run, the same small piece of work (an eager matmul and a tf.function) done by:
  fresh              a new interpreter that imports TensorFlow first (what a sandboxed worker does today),
  fork-after-import  a child forked from a "zygote" that imported TensorFlow but ran no op,
  fork-after-op      a child forked from a zygote that already ran an op (TensorFlow's thread pools exist).
A child that does not finish within the limit is killed and counted as hung.

Usage: .venv/bin/python bench/fork_probe.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

WORK = """
import tensorflow as tf
x = tf.random.normal((256, 256))
f = tf.function(lambda a: tf.reduce_sum(tf.matmul(a, a)))
assert abs(float(f(x)) - float(tf.reduce_sum(tf.matmul(x, x)))) < 1e-2 * abs(float(f(x))) + 1
"""
LIMIT_S = 60.0


def zygote(rounds: int, warm_op: bool) -> None:
    """Imports TensorFlow once, then forks ``rounds`` children one after another; prints their times as JSON."""
    import tensorflow as tf

    if warm_op:
        tf.reduce_sum(tf.ones((4, 4))).numpy()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                exec(WORK, {})
                os._exit(0)
            except BaseException:
                os._exit(1)
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                times.append(time.perf_counter() - start if os.waitstatus_to_exitcode(status) == 0 else None)
                break
            if time.perf_counter() - start > LIMIT_S:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                times.append(None)
                break
            time.sleep(0.01)
    print(json.dumps(times))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--zygote", choices=["import", "op"])
    args = parser.parse_args()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    if args.zygote:
        zygote(args.rounds, warm_op=args.zygote == "op")
        return 0
    fresh = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", WORK], env=env, check=True, timeout=LIMIT_S)
        fresh.append(time.perf_counter() - start)
    results = {"fresh": fresh}
    for kind in ("import", "op"):
        out = subprocess.run([sys.executable, __file__, "--zygote", kind, "--rounds", str(args.rounds)], env=env,
                             capture_output=True, text=True, timeout=LIMIT_S * (args.rounds + 2))
        results[f"fork-after-{kind}"] = json.loads(out.stdout.strip().splitlines()[-1])
    for name, times in results.items():
        ok = [t for t in times if t is not None]
        hung = len(times) - len(ok)
        median = f"{statistics.median(ok):.2f} s" if ok else "-"
        print(f"{name:<18} median {median:>8}  ({len(ok)} finished, {hung} hung or failed)")
    base = statistics.median(results["fresh"])
    for kind in ("import", "op"):
        ok = [t for t in results[f"fork-after-{kind}"] if t is not None]
        if ok:
            print(f"fork-after-{kind} / fresh = {statistics.median(ok) / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
