"""Issue 12 §1 in a shortened, bounded form (the full 200 reporters × 60 s is
scripts/bench-load.sh): concurrent reporters POST /cases mixed with GET /assign and grids items
reads against the real binary; afterwards every acknowledged case is stored exactly once with the
intake as its first event, and no request got a 5xx or was dropped."""
import os
import shutil
import time

import pytest

from case_stream import Stream, category_codes, check_acknowledged, grid_points, mint_token, start_serve

CLIENTS = int(os.environ.get("WANGGE_LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("WANGGE_LOAD_SECONDS", "5"))


@pytest.fixture
def store(city_db, tmp_path):
    db = tmp_path / "load.sqlite"
    shutil.copy(city_db, db)
    return db


def test_concurrent_reporters_and_readers(store):
    token = mint_token(store)
    proc, host, port = start_serve(store)
    try:
        points, categories = grid_points(host, port, 200), category_codes(host, port)
        stream = Stream(host, port, token, points, categories, clients=CLIENTS, reads=True, tag="load")
        stream.start()
        time.sleep(SECONDS)
        stream.join()
        assert all(not t.is_alive() for t in stream.threads)
        bad = {k: n for k, n in stream.statuses.items() if k[1] == "error" or k[1] >= 500}
        assert not bad, f"5xx or dropped connections under load: {bad}"
        other = {k: n for k, n in stream.statuses.items() if k[1] not in (200, 201)}
        assert not other, f"unexpected statuses: {other}"
        assert stream.statuses.get(("assign", 200), 0) > 0 and stream.statuses.get(("items", 200), 0) > 0
        assert len(stream.acked) >= CLIENTS, "every reporter got cases through"
        check_acknowledged(store, host, port, token, stream.acked, sample=100)
    finally:
        proc.kill()
        proc.wait()
