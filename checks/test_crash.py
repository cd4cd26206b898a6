"""Issue 12 §2 through the real binary: `wangge serve` killed with SIGKILL in the middle of a
stream of case intakes loses no acknowledged case, and SIGTERM drains in-flight requests and
exits 0. "Acknowledged" is what the client was told (201, or 200 for a replayed key); after the
restart every such case must be in the store file, intact, exactly once per idempotency key."""
import http.client
import json
import shutil
import signal
import time

import pytest

from case_stream import Stream, category_codes, check_acknowledged, grid_points, mint_token, start_serve


@pytest.fixture
def store(city_db, tmp_path):
    db = tmp_path / "crash.sqlite"
    shutil.copy(city_db, db)
    return db


def wait_for_acks(stream, n, limit=60):
    deadline = time.time() + limit
    while len(stream.acked) < n:
        assert time.time() < deadline, f"only {len(stream.acked)} cases acknowledged"
        time.sleep(0.02)


def test_sigkill_mid_stream_loses_no_acknowledged_case(store, tmp_path):
    token = mint_token(store)
    proc, host, port = start_serve(store)
    points, categories = grid_points(host, port, 200), category_codes(host, port)
    stream = Stream(host, port, token, points, categories, clients=6, tag="kill1")
    stream.start()
    try:
        wait_for_acks(stream, 300)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        stream.join()
    first = dict(stream.acked)
    assert proc.returncode == -signal.SIGKILL
    assert stream.statuses.get(("case", "error"), 0) >= 1, "the kill landed mid-stream: some requests were cut off"

    # Restart on the same file: everything acknowledged before the kill is there.
    proc, host, port = start_serve(store)
    try:
        check_acknowledged(store, host, port, token, first, sample=50)
        # Retrying every acknowledged key after the restart returns the same case, never a second one.
        conn = http.client.HTTPConnection(host, port, timeout=30)
        for key in list(first)[:100]:
            sent, told = first[key]
            conn.request("POST", "/cases", json.dumps(sent).encode(), {
                "Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key})
            r = conn.getresponse()
            again = json.loads(r.read())
            assert r.status == 200 and again["id"] == told["id"], (key, r.status, again)
        conn.close()
        # A second round: kill again while intakes stream into the restarted server.
        stream = Stream(host, port, token, points, categories, clients=6, tag="kill2")
        stream.start()
        try:
            wait_for_acks(stream, 200)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            stream.join()
        first.update(stream.acked)
    finally:
        if proc.poll() is None:
            proc.kill()
    proc, host, port = start_serve(store)
    try:
        stored = check_acknowledged(store, host, port, token, first, sample=50)
        assert stored >= len(first)
    finally:
        proc.kill()
        proc.wait()


def test_sigterm_drains_in_flight_intakes_and_exits_0(store, tmp_path):
    token = mint_token(store)
    log = open(tmp_path / "serve.log", "w")
    proc, host, port = start_serve(store, log=log)
    points, categories = grid_points(host, port, 200), category_codes(host, port)
    stream = Stream(host, port, token, points, categories, clients=6, tag="term")
    stream.start()
    try:
        wait_for_acks(stream, 200)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    finally:
        stream.join()
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()[-2000:]
    assert not any(kind == "case" and isinstance(s, int) and s >= 500 for kind, s in stream.statuses), stream.statuses
    proc, host, port = start_serve(store)
    try:
        check_acknowledged(store, host, port, token, stream.acked, sample=50)
    finally:
        proc.kill()
        proc.wait()
