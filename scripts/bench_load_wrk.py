"""Issue 12 §1 load benchmark with wrk as the client (scripts/bench_intake.lua): C reporter
connections POST /cases back to back (or pacing themselves, THINK_MS) for SECONDS while C/2 more
connections read (GET /assign and grids items pages), both wrk processes at once; or (mode
`assign`) C connections on GET /assign alone, the peer. wrk is C on epoll, so on the same two
cores it leaves the server far more CPU than Python threads do.

Afterwards (mode `cases`) every acknowledged case is checked in the store file exactly as
scripts/bench_load.py does (checks/case_stream.check_acknowledged: stored once per key, fields
as sent, first event the intake; 200 read back through GET /cases/{id}), and no answer may be a
5xx or a dropped connection. Prints one Markdown table row; exits 1 on any error.

usage: bench_load_wrk.py DB HOST PORT TOKEN MODE CLIENTS SECONDS LABEL [THINK_MS]"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "checks"))
from case_stream import category_codes, check_acknowledged, grid_points  # noqa: E402


def wrk(mode, connections, seconds, url, env):
    return subprocess.Popen(["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s",
                             "-s", str(HERE / "bench_intake.lua"), url], env={**os.environ, **env, "WRK_MODE": mode},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def result(proc):
    out, _ = proc.communicate()
    line = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{out}")
    return json.loads(line[len("RESULT "):])


def main():
    db, host, port, token, mode, clients, seconds, label = sys.argv[1:9]
    think = sys.argv[9] if len(sys.argv) > 9 else "0"
    port, clients, seconds = int(port), int(clients), int(float(seconds))
    points, categories = grid_points(host, port, 500), category_codes(host, port)
    with tempfile.TemporaryDirectory() as out:
        (Path(out) / "points.txt").write_text("".join(f"{lon!r},{lat!r}\n" for lon, lat in points))
        env = {"WRK_POINTS": str(Path(out) / "points.txt"), "WRK_CATEGORIES": ",".join(categories), "WRK_TOKEN": token,
               "WRK_OUT": out, "WRK_TAG": "wrk-" + "".join(c for c in label if c.isalnum())[:20], "WRK_THINK_MS": think}
        url = f"http://{host}:{port}"
        if mode == "cases":
            procs = {"cases": wrk("cases", clients, seconds, url, env), "reads": wrk("reads", max(1, clients // 2), seconds, url, env)}
        else:
            procs = {"assign": wrk("assign", clients, seconds, url, env)}
        res = {k: result(p) for k, p in procs.items()}
        statuses, bodies = {}, []
        for k, r in res.items():
            for s, c in r["statuses"].items():
                statuses[f"{k}:{s}"] = statuses.get(f"{k}:{s}", 0) + c
        for f in Path(out).glob("errors-*.tsv"):
            bodies += f.read_text().splitlines()[:3]
        dropped = sum(r[e] for r in res.values() for e in ("connect", "read", "write", "timeout"))
        five = sum(c for k, c in statuses.items() if int(k.split(":")[1]) >= 500)
        errors = {k: c for k, c in statuses.items() if int(k.split(":")[1]) >= 300}
        if dropped:
            errors["dropped or timed out"] = dropped
        if mode == "cases":
            sent = {}
            for f in Path(out).glob("sent-cases-*.tsv"):
                for line in f.read_text().splitlines():
                    key, body = line.split("\t", 1)
                    sent[key] = json.loads(body)
            acked = {}
            for f in Path(out).glob("acked-cases-*.tsv"):
                for line in f.read_text().splitlines():
                    key, body = line.split("\t", 1)
                    assert key in sent, f"an acknowledgement for a key never sent: {key}"
                    acked[key] = (sent[key], json.loads(body))
            r = res["cases"]
            elapsed = r["duration_us"] / 1e6
            assert len(acked) == sum(c for s, c in r["statuses"].items() if s in ("200", "201")), "every 2xx was recorded"
            stored = check_acknowledged(db, host, port, token, acked, sample=200)
            reads = res["reads"]["requests"] / (res["reads"]["duration_us"] / 1e6)
            print(f"| {label} | {clients} + {max(1, clients // 2)} readers × {seconds} s | {len(acked) / elapsed:,.0f} cases/s "
                  f"({len(acked):,} acknowledged, all stored once: {stored:,} keyed cases in the file) + {reads:,.0f} reads/s "
                  f"(read p99 {res['reads']['p99_us'] / 1000:.1f} ms) | {r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | "
                  f"5xx: {five}; other errors: {errors or 'none'} |")
        else:
            r = res["assign"]
            print(f"| {label} | {clients} × {seconds} s | {r['requests'] / (r['duration_us'] / 1e6):,.0f} GET /assign/s | "
                  f"{r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | 5xx: {five}; other errors: {errors or 'none'} |")
        if bodies:
            print("first error bodies:", *bodies[:5], sep="\n  ", file=sys.stderr)
    sys.exit(1 if five or errors else 0)


if __name__ == "__main__":
    main()
