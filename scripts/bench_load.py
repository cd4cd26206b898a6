"""Issue 12 §1 load benchmark: CLIENTS threads against a running `wangge serve` for SECONDS,
either case intake mixed with reads (mode `cases`: 2 of 3 requests POST /cases with a unique
Idempotency-Key, 1 of 3 GET /assign or a grids items page) or GET /assign alone (mode `assign`).
Afterwards (mode `cases`) every acknowledged case is checked in the store file: stored once, its
first event the intake. Prints one Markdown table row.

usage: bench_load.py DB HOST PORT TOKEN MODE CLIENTS SECONDS LABEL"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "checks"))
from case_stream import Stream, category_codes, check_acknowledged, grid_points  # noqa: E402


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else float("nan")


def main():
    db, host, port, token, mode, clients, seconds, label = sys.argv[1:9]
    port, clients, seconds = int(port), int(clients), float(seconds)
    points, categories = grid_points(host, port, 500), category_codes(host, port)
    stream = Stream(host, port, token, points, categories, clients=clients, reads=(mode == "cases"), tag=f"bench-{label}",
                    assign_only=(mode == "assign"))
    t0 = time.perf_counter()
    stream.start()
    time.sleep(seconds)
    stream.join()
    elapsed = time.perf_counter() - t0
    errors = {f"{k}:{s}": n for (k, s), n in sorted(stream.statuses.items(), key=str) if s == "error" or s >= 400}
    five = sum(n for (k, s), n in stream.statuses.items() if s != "error" and s >= 500)
    if mode == "cases":
        stored = check_acknowledged(db, host, port, token, stream.acked, sample=200)
        lat = stream.latencies["case"]
        rate = len(stream.acked) / elapsed
        reads = len(stream.latencies["assign"]) + len(stream.latencies["items"])
        print(f"| {label} | {clients} × {seconds:.0f} s | {rate:,.0f} cases/s ({len(stream.acked):,} acknowledged, all stored once: "
              f"{stored:,} keyed cases in the file) + {reads / elapsed:,.0f} reads/s | {pct(lat, .5):.1f} | {pct(lat, .99):.1f} | "
              f"5xx: {five}; other errors: {errors or 'none'} |")
    else:
        lat = stream.latencies["assign"]
        print(f"| {label} | {clients} × {seconds:.0f} s | {len(lat) / elapsed:,.0f} GET /assign/s | {pct(lat, .5):.1f} | {pct(lat, .99):.1f} | "
              f"5xx: {five}; other errors: {errors or 'none'} |")
    sys.exit(1 if five or errors else 0)


if __name__ == "__main__":
    main()
