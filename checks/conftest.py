"""Fixtures shared by the checks: the built binary, the sample city seeded into a fresh store,
and a real `wangge serve` over it on a free loopback port (started once per test session)."""
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = os.environ.get("WANGGE_BIN", str(REPO / ".build/debug/wangge"))
# The folder holding geodata/ and seeds/ (the repository unless WANGGE_HOME says otherwise).
ROOT = Path(os.environ.get("WANGGE_HOME", REPO))
LAYERS = ["districts", "streets", "communities", "grids", "compounds", "stations"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def city_db(tmp_path_factory):
    """A store holding the sample city (geodata/), seeded through the CLI."""
    if not (ROOT / "geodata" / "grids.geojson").exists():
        pytest.skip("geodata/ (the sample city) is not there")
    db = tmp_path_factory.mktemp("city") / "city.sqlite"
    subprocess.run([BIN, "seed", "--db", str(db)], check=True, capture_output=True, text=True, cwd=ROOT)
    return db


@pytest.fixture(scope="session")
def server(city_db, tmp_path_factory):
    """Base URL (no trailing slash) of `wangge serve` over the sample city."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([BIN, "serve", "--db", str(city_db), "--port", str(port), "--no-sample"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(f"wangge serve did not come up:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
