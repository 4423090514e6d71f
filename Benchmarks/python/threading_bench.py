"""CPython side of threading-bench: the workloads of shared/BENCH.md, in the same shapes.

    python3 threading_bench.py WORKLOAD SIZE [ARG]

Runs one measurement and prints one JSON line: wall and CPU nanoseconds of the timed
section, whether the workload's own check passed, and the raw data some figures need
(per-thread counts, timeout overshoots). threading-bench computes the figures, with the
same formulas as for the Swift implementations.
"""

import json
import sys
import threading
import time
import queue
from concurrent.futures import ThreadPoolExecutor


class CheckFailed(Exception):
    pass


def check(actual, expected, what):
    if actual != expected:
        raise CheckFailed(f"{what}: got {actual}, expected {expected}")


def timed(body):
    wall0, cpu0 = time.perf_counter_ns(), time.process_time_ns()
    body()
    return time.perf_counter_ns() - wall0, time.process_time_ns() - cpu0


def idle_thread():
    """One more thread alive and idle, as in the Swift process."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    return stop


def run_threads(count, body):
    """Starts `count` threads held at a barrier, times from their release to the last join."""
    barrier = threading.Barrier(count + 1)

    def start(index):
        barrier.wait()
        body(index)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()

    def release_and_join():
        barrier.wait()
        for t in threads:
            t.join()

    return timed(release_and_join)


# ---------------------------------------------------------------------------- locks

def lock_loop(lock, n, box):
    acquire, release = lock.acquire, lock.release
    for _ in range(n):
        acquire()
        box[0] += 1
        release()


def uncontended(lock, n):
    idle_thread()
    box = [0]
    wall, cpu = timed(lambda: lock_loop(lock, n, box))
    check(box[0], n, "counter")
    return {"wall_ns": wall, "cpu_ns": cpu}


def lock_uncontended(n):
    return uncontended(threading.Lock(), n)


def rlock_uncontended(n):
    return uncontended(threading.RLock(), n)


def lock_contended(n, threads):
    lock, box = threading.Lock(), [0]
    wall, cpu = run_threads(threads, lambda i: lock_loop(lock, n // threads + (1 if i < n % threads else 0), box))
    check(box[0], n, "shared counter")
    return {"wall_ns": wall, "cpu_ns": cpu}


def lock_fairness_share(milliseconds, threads):
    lock, box = threading.Lock(), [0]
    counts = [0] * threads
    stop = [False]

    def worker(i):
        acquire, release = lock.acquire, lock.release
        mine = 0
        while not stop[0]:
            acquire()
            box[0] += 1
            release()
            mine += 1
        counts[i] = mine

    barrier = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=lambda i=i: (barrier.wait(), worker(i))) for i in range(threads)]
    for t in workers:
        t.start()

    def run():
        barrier.wait()
        time.sleep(milliseconds / 1000)
        stop[0] = True
        for t in workers:
            t.join()

    wall, cpu = timed(run)
    check(box[0], sum(counts), "shared counter against per-thread counts")
    return {"wall_ns": wall, "cpu_ns": cpu, "counts": counts}


def lock_fairness_go(cap_milliseconds):
    lock = threading.Lock()
    done = threading.Event()
    start = time.monotonic()

    def hog():
        while not done.is_set() and time.monotonic() - start < cap_milliseconds / 1000:
            with lock:
                time.sleep(100e-6)

    t = threading.Thread(target=hog)
    t.start()
    time.sleep(0.001)
    acquired = [0]

    def waiter():
        for _ in range(10):
            time.sleep(100e-6)
            with lock:
                acquired[0] += 1

    wall, cpu = timed(waiter)
    done.set()
    t.join()
    check(acquired[0], 10, "acquisitions by the waiter")
    return {"wall_ns": wall, "cpu_ns": cpu}


# ------------------------------------------------------------------------ ping-pong

def event_pingpong(n):
    ping, pong = threading.Event(), threading.Event()
    seen = [0, 0]

    def a(_):
        for i in range(n):
            ping.set()
            pong.wait()
            pong.clear()
            seen[0] += 1

    def b(_):
        for i in range(n):
            ping.wait()
            ping.clear()
            seen[1] += 1
            pong.set()

    wall, cpu = run_threads(2, lambda i: (a if i == 0 else b)(i))
    check(seen, [n, n], "round trips seen by each side")
    return {"wall_ns": wall, "cpu_ns": cpu}


def condition_pingpong(n):
    cond = threading.Condition()
    state = {"turn": 0, "count": 0}

    def a(_):
        for i in range(n):
            with cond:
                state["turn"] = 1
                cond.notify()
                while state["turn"] != 0:
                    cond.wait()

    def b(_):
        for i in range(n):
            with cond:
                while state["turn"] != 1:
                    cond.wait()
                state["turn"] = 0
                state["count"] += 1
                cond.notify()

    wall, cpu = run_threads(2, lambda i: (a if i == 0 else b)(i))
    check(state["count"], n, "round trips")
    return {"wall_ns": wall, "cpu_ns": cpu}


# --------------------------------------------------------------------------- queues

def queue_run(n, producers, consumers):
    q = queue.Queue(maxsize=1024)
    sums = [0] * consumers

    def produce(p):
        put = q.put
        for i in range(p, n, producers):
            put(i)

    def consume(c):
        get = q.get
        share = n // consumers + (1 if c < n % consumers else 0)
        total = 0
        for _ in range(share):
            total += get()
        sums[c] = total

    def body(index):
        if index < producers:
            produce(index)
        else:
            consume(index - producers)

    wall, cpu = run_threads(producers + consumers, body)
    check(sum(sums), n * (n - 1) // 2, "sum of the items taken")
    return {"wall_ns": wall, "cpu_ns": cpu}


def queue_spsc(n):
    return queue_run(n, 1, 1)


def queue_mpmc(n):
    return queue_run(n, 2, 2)


# -------------------------------------------------------------------- threads, pools

def thread_spawn_join(n):
    ran = [0]

    def body():
        ran[0] += 1

    def run():
        for _ in range(n):
            t = threading.Thread(target=body)
            t.start()
            t.join()

    wall, cpu = timed(run)
    check(ran[0], n, "threads that ran")
    return {"wall_ns": wall, "cpu_ns": cpu}


def identity(x):
    return x


def pool_submit(n):
    with ThreadPoolExecutor(4) as pool:
        total = [0]

        def run():
            futures = [pool.submit(identity, i) for i in range(n)]
            total[0] = sum(f.result() for f in futures)

        wall, cpu = timed(run)
    check(total[0], n * (n - 1) // 2, "sum of the results")
    return {"wall_ns": wall, "cpu_ns": cpu}


def pool_roundtrip(n):
    with ThreadPoolExecutor(4) as pool:
        pool.submit(identity, 0).result()  # start a worker, as the Swift pools have
        total = [0]

        def run():
            t = 0
            for i in range(n):
                t += pool.submit(identity, i).result()
            total[0] = t

        wall, cpu = timed(run)
    check(total[0], n * (n - 1) // 2, "sum of the results")
    return {"wall_ns": wall, "cpu_ns": cpu}


def timeout_accuracy(n):
    event = threading.Event()
    overshoots = []

    def run():
        for _ in range(n):
            start = time.monotonic_ns()
            if event.wait(0.01):
                raise CheckFailed("an event nobody sets was set")
            overshoots.append((time.monotonic_ns() - start - 10_000_000) / 1000)

    wall, cpu = timed(run)
    return {"wall_ns": wall, "cpu_ns": cpu, "overshoots_us": overshoots}


WORKLOADS = {
    "lock_uncontended": lock_uncontended,
    "lock_contended": lock_contended,
    "lock_fairness_share": lock_fairness_share,
    "lock_fairness_go": lock_fairness_go,
    "rlock_uncontended": rlock_uncontended,
    "event_pingpong": event_pingpong,
    "condition_pingpong": condition_pingpong,
    "queue_spsc": queue_spsc,
    "queue_mpmc": queue_mpmc,
    "thread_spawn_join": thread_spawn_join,
    "pool_submit": pool_submit,
    "pool_roundtrip": pool_roundtrip,
    "timeout_accuracy": timeout_accuracy,
}


def main():
    name, size, *rest = sys.argv[1:]
    try:
        result = WORKLOADS[name](int(size), *map(int, rest))
        result["ok"] = True
    except CheckFailed as failure:
        result = {"wall_ns": 0, "cpu_ns": 0, "ok": False, "error": str(failure)}
    result["python"] = sys.version.split()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
