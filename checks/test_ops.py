"""Operations against the real binary: an online backup while `serve` and the CLI write, restore
refusing what is not a wangge store, /metrics parsed by prometheus_client's own parser, JSON log
lines with the request id, rate limits, the read timeout and the connection cap, 413 before a
body is read."""
import json
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BIN, ROOT, free_port


def start_serve(db, *args, stderr=subprocess.DEVNULL):
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--db", str(db), "--port", str(port), "--no-sample", "--reload-interval", "0", *args],
                            stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2):
                return proc, base, port
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("wangge serve did not come up")
            time.sleep(0.2)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def counts(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture
def store(city_db, tmp_path):
    db = tmp_path / "store.sqlite"
    shutil.copy(city_db, db)
    return db


def test_online_backup_while_serving_and_writing_then_restore(store, tmp_path):
    proc, base, _ = start_serve(store)
    before = counts(store)
    stop_writing = threading.Event()
    made = []

    def write_tokens():
        while not stop_writing.is_set():
            r = subprocess.run([BIN, "token", "create", "--db", str(store), "--role", "planner", "--name", f"t{len(made)}"],
                               capture_output=True, text=True, cwd=ROOT)
            assert r.returncode == 0, r.stderr
            made.append(r.stdout.strip())

    def read_http():
        while not stop_writing.is_set():
            assert get(base + "/collections/grids/items?limit=50")[0] == 200

    workers = [threading.Thread(target=write_tokens), threading.Thread(target=read_http)]
    try:
        for w in workers:
            w.start()
        while len(made) < 3:
            time.sleep(0.05)
        copy = tmp_path / "backup.sqlite"
        r = subprocess.run([BIN, "backup", "--db", str(store), str(copy), "--json"], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)
        time.sleep(0.3)
    finally:
        stop_writing.set()
        for w in workers:
            w.join()
        stop(proc)
    after = counts(store)
    copied = counts(copy)
    # The copy is the store at one instant: what the backup reported, the unchanged tables
    # equal, the tables being written to somewhere between before and after.
    assert copied == report["rowCounts"]
    changed = {t for t in after if after[t] != before.get(t)}
    assert changed, "the writers wrote nothing"
    for t, n in copied.items():
        if t in changed:
            assert before.get(t, 0) <= n <= after[t], t
        else:
            assert n == after[t], t
    assert any(before.get(t, 0) < copied[t] for t in changed), "the backup should see writes made while serving"
    con = sqlite3.connect(copy)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    info = subprocess.run(["ogrinfo", "-ro", "-q", str(copy)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert "grids" in info.stdout and "stations" in info.stdout
    assert not list(tmp_path.glob(".backup.sqlite.*")), "no temporary file left"

    # Restore into a new place and over an existing store.
    target = tmp_path / "restored.sqlite"
    r = subprocess.run([BIN, "restore", "--db", str(target), str(copy), "--json"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert counts(target) == copied
    r = subprocess.run([BIN, "restore", "--db", str(store), str(copy)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert counts(store) == copied
    proc, base, _ = start_serve(store)
    try:
        assert get(base + "/collections/grids/items?limit=1")[0] == 200
    finally:
        stop(proc)


def test_restore_refuses_what_is_not_a_known_wangge_store(store, tmp_path):
    target = tmp_path / "target.sqlite"
    shutil.copy(store, target)
    original = target.read_bytes()
    text = tmp_path / "notes.sqlite"
    text.write_text("grid_id,lon,lat\n")
    foreign = tmp_path / "foreign.sqlite"
    sqlite3.connect(foreign).execute("CREATE TABLE t(x)").connection.commit()
    newer = tmp_path / "newer.sqlite"
    shutil.copy(store, newer)
    con = sqlite3.connect(newer)
    con.execute("INSERT INTO grdb_migrations(identifier) VALUES ('v99-from-the-future')")
    con.commit()
    con.close()
    for bad, words in [(text, "not an SQLite database"), (foreign, "not a wangge store"), (newer, "newer or unknown schema"),
                       (tmp_path / "missing.sqlite", "no backup file")]:
        r = subprocess.run([BIN, "restore", "--db", str(target), str(bad)], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode != 0, bad
        assert words in r.stderr, r.stderr
        assert target.read_bytes() == original, "the target is untouched"
    assert "v99-from-the-future" in subprocess.run([BIN, "restore", "--db", str(target), str(newer)],
                                                   capture_output=True, text=True, cwd=ROOT).stderr


def test_metrics_parse_with_prometheus_client(server):
    for path in ["/health", "/collections/grids/items?limit=2", "/collections/districts/items?limit=2", "/nope"]:
        get(server + path)
    status, headers, body = get(server + "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    requests = families["http_requests"]  # the parser drops a counter's _total
    assert requests.type == "counter"
    routes = {s.labels["route"] for s in requests.samples}
    assert "/collections/{collectionId}/items" in routes
    assert not any(r.startswith("/collections/grids") for r in routes), "route patterns, not raw paths"
    assert any(s.labels["status"] == "404" for s in requests.samples)
    hist = families["http_request_duration_seconds"]
    assert hist.type == "histogram"
    buckets = [s for s in hist.samples if s.name.endswith("_bucket") and s.labels["route"] == "/health"]
    assert buckets and buckets[-1].labels["le"] == "+Inf" and buckets[-1].value >= 1
    gauges = {(s.name, tuple(sorted(s.labels.items()))): s.value
              for name in ["wangge_index_features", "wangge_boundary_generation", "wangge_index_build_seconds", "wangge_boundary_imports"]
              for s in families[name].samples}
    n_grids = json.loads(get(server + "/collections/grids/items?limit=1")[2])["numberMatched"]
    assert gauges[("wangge_index_features", (("layer", "grids"),))] == n_grids
    assert gauges[("wangge_boundary_generation", ())] >= 1
    assert gauges[("wangge_index_build_seconds", ())] > 0
    assert gauges[("wangge_boundary_imports", (("layer", "grids"),))] >= 1


def test_metrics_count_cases_by_state_and_overdue(server, city_db):
    token = subprocess.run([BIN, "token", "create", "--role", "reporter", "--name", "metrics", "--db", str(city_db)],
                           check=True, capture_output=True, text=True).stdout.strip()
    req = urllib.request.Request(server + "/cases", method="POST", data=json.dumps(
        {"lon": 114.41, "lat": 23.11, "category": "garbage", "description": "metrics check"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 201
    families = {f.name: f for f in text_string_to_metric_families(get(server + "/metrics")[2].decode())}
    by_state = {s.labels["state"]: s.value for s in families["wangge_cases"].samples}
    overdue = families["wangge_cases_overdue"].samples[0].value
    # The reference: the store file read with sqlite3 (open states and the deadline rule of issue 11).
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    con = sqlite3.connect(f"file:{city_db}?mode=ro", uri=True)
    try:
        stored = dict(con.execute("SELECT state, count(*) FROM cases GROUP BY state").fetchall())
        late = con.execute("SELECT count(*) FROM cases WHERE state IN ('reported','filed','dispatched','escalated','handled','verified') "
                           "AND deadline_at <= ?", [now]).fetchone()[0]
    finally:
        con.close()
    assert set(by_state) == {"reported", "filed", "rejected", "dispatched", "escalated", "handled", "verified", "closed", "evaluated"}
    assert by_state["reported"] >= 1
    assert {k: v for k, v in by_state.items() if v} == {k: float(v) for k, v in stored.items()}
    assert overdue == late
    # The group commit's own counters: at least this intake went through it, in at least one commit.
    intake = {n: families[f"wangge_case_intake_{n}"].samples[0].value
              for n in ["commits", "cases", "commit_seconds", "largest_batch", "waiting"]}
    assert intake["cases"] >= 1 and 1 <= intake["commits"] <= intake["cases"]
    assert 1 <= intake["largest_batch"] <= intake["cases"] and intake["commit_seconds"] > 0 and intake["waiting"] >= 0


def test_json_logs_carry_the_request_id_echoed_in_the_header(store, tmp_path):
    log = tmp_path / "serve.log"
    with open(log, "w") as err:
        proc, base, _ = start_serve(store, "--log-format", "json", "--log-requests", stderr=err)
        try:
            status, headers, _ = get(base + "/health", {"X-Request-Id": "proxy-7f3a"})
            assert status == 200 and headers["X-Request-Id"] == "proxy-7f3a"
            status, headers, _ = get(base + "/health")
            assert len(headers["X-Request-Id"]) > 0
        finally:
            stop(proc)
    lines = [l for l in log.read_text().splitlines() if l.startswith("{")]
    objects = [json.loads(l) for l in lines]
    assert objects, log.read_text()[-2000:]
    for o in objects:
        assert {"time", "level", "label", "message", "metadata"} <= o.keys()
    assert any(o["metadata"].get("hb.request.id") == "proxy-7f3a" for o in objects)


def test_noisy_token_is_limited_while_others_are_served(store):
    noisy, quiet = [subprocess.run([BIN, "token", "create", "--db", str(store), "--role", "planner", "--name", n],
                                   capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip() for n in ["script", "planner"]]
    proc, base, _ = start_serve(store, "--rate-limit", "2/s", "--rate-burst", "5", "--rate-limit-loopback")
    try:
        statuses = []
        for _ in range(20):
            status, headers, body = get(base + "/health", {"Authorization": f"Bearer {noisy}"})
            statuses.append(status)
            if status == 429:
                assert int(headers["Retry-After"]) >= 1
                assert json.loads(body)["code"] == "TooManyRequests"
        assert statuses[:5] == [200] * 5
        assert statuses.count(429) >= 10
        assert get(base + "/health", {"Authorization": f"Bearer {quiet}"})[0] == 200
        assert get(base + "/health")[0] == 200, "anonymous loopback has its own bucket"
    finally:
        stop(proc)


def test_slow_clients_are_cut_off_and_others_served(store):
    proc, base, port = start_serve(store, "--read-timeout", "2", "--max-connections", "4")
    try:
        slow = []
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # half a request, then nothing
            slow.append(s)
        t0 = time.time()
        # Let the server accept the four before the fifth arrives: the cap stops accepting only
        # after a read of the listening socket, so connections pending together may pass in one burst.
        time.sleep(0.5)
        status, _, _ = get(base + "/health")  # waits for a slot: the slow ones are cut at 2 s
        assert status == 200
        waited = time.time() - t0
        assert 1.5 <= waited < 20, f"served after {waited:.1f} s: the cap of 4 held it until the read timeout freed a slot"
        for s in slow:
            s.settimeout(5)
            assert s.recv(1024) == b"", "the server closed the slow connection"
            s.close()
        # 413 before the body is read: the headers alone announce 17 MiB.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /assign HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 17825792\r\n\r\nid,lon,lat\n")
        s.settimeout(5)
        reply = b""
        while b"PayloadTooLarge" not in reply:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
        reply = reply.decode(errors="replace")
        assert reply.startswith("HTTP/1.1 413"), reply[:200]
        assert "PayloadTooLarge" in reply
        s.close()
        assert get(base + "/health")[0] == 200, "still up"
    finally:
        stop(proc)


def test_a_busy_port_is_a_plain_error_and_serving_is_announced_only_once_bound(store, tmp_path):
    log = tmp_path / "first.log"
    with open(log, "w") as err:
        proc, base, port = start_serve(store, stderr=err)
    try:
        assert f"serving {store} on http://127.0.0.1:{port}/" in log.read_text(), "announced once listening"
        r = subprocess.run([BIN, "serve", "--db", str(store), "--port", str(port), "--no-sample", "--reload-interval", "0"],
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert r.returncode != 0
        assert f"port {port} on 127.0.0.1 is already in use" in r.stderr, r.stderr[-1000:]
        assert "serving" not in r.stderr and "bind(descriptor" not in r.stderr, r.stderr[-1000:]
        assert get(base + "/health")[0] == 200, "the first server is untouched"
    finally:
        stop(proc)
