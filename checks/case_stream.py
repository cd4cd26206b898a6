"""A bounded stream of case intakes against a real `wangge serve`, shared by the crash test
(test_crash.py), the load check (test_load.py) and the load benchmark (scripts/bench_load.py).

Reporters are threads, each with its own keep-alive connection (http.client). Every intake
carries a unique Idempotency-Key; an acknowledgement (201 Created, or 200 for a replayed key) is
recorded with the case id and the body the server sent, so that after the run — or after a
crash and a restart — the store can be checked against exactly what the clients were told."""
import http.client
import json
import random
import sqlite3
import subprocess
import threading
import time
import urllib.request

from conftest import BIN, ROOT, free_port

def start_serve(db, *args, log=subprocess.DEVNULL):
    """`wangge serve` on a free loopback port; returns (process, host, port) once /health answers."""
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--db", str(db), "--port", str(port), "--no-sample", "--reload-interval", "0", *args],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc, "127.0.0.1", port
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("wangge serve did not come up")
            time.sleep(0.2)


def mint_token(db, role="reporter", name="load"):
    return subprocess.run([BIN, "token", "create", "--role", role, "--name", name, "--db", str(db)],
                          check=True, capture_output=True, text=True).stdout.strip()


def category_codes(host, port):
    with urllib.request.urlopen(f"http://{host}:{port}/case-categories", timeout=10) as r:
        return [c["code"] for c in json.loads(r.read())["categories"]]


def grid_points(host, port, n, seed=7):
    """`n` points inside the sample city's grids (each grid's bounding-box centre, which may fall
    outside the grid: such cases are routed to the nearest grid, still a valid intake)."""
    with urllib.request.urlopen(f"http://{host}:{port}/collections/grids/items?limit={n}", timeout=30) as r:
        feats = json.loads(r.read())["features"]
    pts = []
    for f in feats:
        ring = f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"][0][0]
        xs, ys = [c[0] for c in ring], [c[1] for c in ring]
        pts.append(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))
    random.Random(seed).shuffle(pts)
    return pts


class Stream:
    """Runs `clients` threads until `join()`. Each thread posts cases; when `reads` is true, every
    third request of a thread is instead a GET /assign or a grids items page; `assign_only` makes
    every request a GET /assign (the peer load). Records acknowledgements, status counts and
    latencies (seconds, per kind)."""

    def __init__(self, host, port, token, points, categories, clients, reads=False, tag="s", assign_only=False):
        self.host, self.port, self.token = host, port, token
        self.points, self.categories = points, categories
        self.clients, self.reads, self.tag, self.assign_only = clients, reads, tag, assign_only
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = {}            # idempotency key → (sent body, response body)
        self.statuses = {}         # (kind, status) → count; status "error" for a dropped connection
        self.latencies = {"case": [], "assign": [], "items": []}
        self.threads = []

    def _count(self, kind, status, seconds):
        with self.lock:
            self.statuses[(kind, status)] = self.statuses.get((kind, status), 0) + 1
            if seconds is not None:
                self.latencies[kind].append(seconds)

    def _worker(self, w):
        rng = random.Random(w)
        conn = None
        i = 0
        while not self.stop.is_set():
            if conn is None:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            i += 1
            kind = "case"
            if self.assign_only:
                kind = "assign"
            elif self.reads and i % 3 == 0:
                kind = "assign" if i % 6 == 0 else "items"
            lon, lat = self.points[rng.randrange(len(self.points))]
            t0 = time.perf_counter()
            try:
                if kind == "case":
                    key = f"{self.tag}-{w}-{i}"
                    body = {"lon": lon, "lat": lat, "category": self.categories[rng.randrange(len(self.categories))],
                            "description": f"load {key} 垃圾满溢", "contact": "13800000000"}
                    conn.request("POST", "/cases", json.dumps(body).encode(), {
                        "Content-Type": "application/json", "Authorization": f"Bearer {self.token}", "Idempotency-Key": key})
                elif kind == "assign":
                    conn.request("GET", f"/assign?lon={lon!r}&lat={lat!r}")
                else:
                    conn.request("GET", f"/collections/grids/items?limit=5&offset={rng.randrange(50)}")
                r = conn.getresponse()
                data = r.read()
                seconds = time.perf_counter() - t0
            except (OSError, http.client.HTTPException):
                # The server went away (the crash test kills it): this request was never acknowledged.
                self._count(kind, "error", None)
                conn.close()
                conn = None
                time.sleep(0.05)
                continue
            self._count(kind, r.status, seconds)
            if kind == "case" and r.status in (200, 201):
                with self.lock:
                    self.acked[key] = (body, json.loads(data))

    def start(self):
        for w in range(self.clients):
            t = threading.Thread(target=self._worker, args=(w,), daemon=True)
            t.start()
            self.threads.append(t)

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def check_acknowledged(db, host, port, token, acked, sample=None):
    """Every acknowledged case is in the store, intact, once: the row read back from the file
    (sqlite3, read-only) matches what the client sent and was told, its first event is the intake
    (action `report` into `reported`, from no state), and no idempotency key
    holds two cases. `sample` cases are also read back through GET /cases/{id}."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = {r[0]: r for r in con.execute(
            "SELECT idempotency_key, id, category, description, lon, lat, state FROM cases WHERE idempotency_key IS NOT NULL")}
        dup = con.execute("SELECT idempotency_key, count(*) FROM cases WHERE idempotency_key IS NOT NULL "
                          "GROUP BY reporter_token_id, idempotency_key HAVING count(*) > 1").fetchall()
        assert dup == [], f"idempotency keys holding more than one case: {dup[:5]}"
        first = {r[0]: r[1:] for r in con.execute(
            "SELECT e.case_id, e.action, e.from_state, e.to_state, e.id FROM case_events e "
            "JOIN (SELECT case_id, min(id) AS id FROM case_events GROUP BY case_id) m ON m.id = e.id")}
    finally:
        con.close()
    missing = [k for k in acked if k not in rows]
    assert not missing, f"{len(missing)} acknowledged cases are not in the store, e.g. {missing[:5]}"
    for key, (sent, told) in acked.items():
        _, cid, category, description, lon, lat, _ = rows[key]
        assert cid == told["id"], key
        assert (category, description) == (sent["category"], sent["description"]), key
        assert abs(lon - sent["lon"]) < 1e-9 and abs(lat - sent["lat"]) < 1e-9, key
        # The intake event (issue 11: a report enters `reported` from no state; GridCases.CaseService).
        action, from_state, to_state, event_id = first[cid]
        assert (action, from_state, to_state) == ("report", None, "reported"), (key, first[cid])
        if told.get("events"):
            assert told["events"][0]["id"] == event_id and told["events"][0]["action"] == "report", key
    keys = list(acked)[: sample or 0]
    if keys:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        for key in keys:
            sent, told = acked[key]
            conn.request("GET", f"/cases/{told['id']}", headers={"Authorization": f"Bearer {token}"})
            r = conn.getresponse()
            got = json.loads(r.read())
            assert r.status == 200, got
            assert (got["category"], got["description"], got["reported_at"]) == (told["category"], told["description"], told["reported_at"])
            assert (got["lon"], got["lat"]) == (told["lon"], told["lat"])
            assert got["events"][0]["action"] == first[told["id"]][0]
        conn.close()
    return len(rows)
