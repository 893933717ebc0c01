"""Pretrained weights through the real server: the cache listing and downloads with progress.

Nothing here reaches beyond 127.0.0.1: the downloads come from a small HTTP server started by the test
(or from a closed local port, which is what "offline" looks like), and the torch hub folder is a
temporary one.
"""

import asyncio
import hashlib
import http.server
import socket
import threading
import time
import urllib.request

import pytest
from api_client import Coach, coach_app

from jupyterlab_dlcoach.core import weights
from jupyterlab_dlcoach.server.weights_downloads import WeightsDownloads

FAKE = b"not really a state dict, but the bytes a test can check " * 40_000  # about 2.2 MB


class FakeDownloads(http.server.ThreadingHTTPServer):
    """Serves one file under /models/, slowly if asked; or answers nothing at all when `silent`."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _FakeHandler)
        self.files: dict[str, bytes] = {}
        self.delay = 0.0
        self.silent = False
        self.requests: list[str] = []
        self.release = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/models/"


class _FakeHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        server: FakeDownloads = self.server
        server.requests.append(self.path)
        if server.silent:
            server.release.wait(30)
            return
        name = self.path.rsplit("/", 1)[-1]
        body = server.files.get(name)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(0, len(body), 256 * 1024):
            self.wfile.write(body[i : i + 256 * 1024])
            self.wfile.flush()
            time.sleep(server.delay)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_hub():
    server = FakeDownloads()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    home = tmp_path / "torch-home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    return home


@pytest.fixture
def fake_resnet18(monkeypatch, fake_hub, torch_home):
    """resnet18's entry points at a fake file whose name carries the fake's own checksum digits."""
    entry = weights.WEIGHTS["resnet18"]
    name = f"resnet18-{hashlib.sha256(FAKE).hexdigest()[:8]}.pth"
    monkeypatch.setitem(weights.WEIGHTS, "resnet18", weights.Weights(name, entry.num_params, entry.gflops))
    fake_hub.files[name] = FAKE
    return torch_home / "hub" / "checkpoints" / name


@pytest.fixture
def jp_server_config(jp_server_config, fake_hub):
    config = {**jp_server_config}
    config["DLCoachApp"] = {
        **jp_server_config["DLCoachApp"],
        "weights_base_url": fake_hub.base_url,
        "weights_timeout": 2.0,
    }
    return config


@pytest.fixture
def coach(jp_fetch, jp_serverapp):
    return Coach(jp_fetch, coach_app(jp_serverapp))


async def wait_download(coach, download_id, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        listing = await coach.ok("GET", "weights")
        (download,) = [d for d in listing["downloads"] if d["id"] == download_id]
        if download["state"] != "running":
            return download, listing
        assert time.monotonic() < deadline, f"download still running after {timeout}s: {download}"
        await asyncio.sleep(0.05)


async def test_a_download_shows_progress_then_the_weights_are_cached(coach, fake_hub, fake_resnet18):
    fake_hub.delay = 0.05
    assert not weights.is_cached("resnet18")
    answer = await coach.ok("POST", "weights", body={"arch": "resnet18"}, expect=202)
    download = answer["download"]
    assert download["arch"] == "resnet18"
    assert download["state"] == "running"
    assert download["url"] == fake_hub.base_url + fake_resnet18.name
    # While it runs, the bytes grow towards the announced total.
    seen = set()
    for _ in range(200):
        (now,) = (await coach.ok("GET", "weights"))["downloads"]
        if now["state"] != "running":
            break
        seen.add(now["bytes_done"])
        assert now["bytes_total"] in (None, len(FAKE))
        # Nothing half-written where torch would load it.
        assert not fake_resnet18.exists()
        await asyncio.sleep(0.02)
    assert len(seen) >= 2, "progress should be visible while the download runs"
    done, listing = await wait_download(coach, download["id"])
    assert done["state"] == "done", done
    assert done["bytes_done"] == done["bytes_total"] == len(FAKE)
    assert done["error"] is None
    assert fake_resnet18.read_bytes() == FAKE
    assert list(fake_resnet18.parent.iterdir()) == [fake_resnet18], "no temporary file is left"
    assert weights.cached_archs() == ["resnet18"]
    (entry,) = [w for w in listing["weights"] if w["arch"] == "resnet18"]
    assert entry["cached"] is True
    assert entry["size_mb"] == round(len(FAKE) / 2**20, 1)
    # GET system says the same.
    system = await coach.ok("GET", "system")
    assert system["hub_dir"] == str(fake_resnet18.parent)
    assert {w["arch"]: w["cached"] for w in system["weights"]}["resnet18"] is True


async def test_asking_again_does_not_fetch_twice(coach, fake_hub, fake_resnet18):
    fake_hub.delay = 0.05
    first = (await coach.ok("POST", "weights", body={"arch": "resnet18"}, expect=202))["download"]
    again = (await coach.ok("POST", "weights", body={"arch": "resnet18"}, expect=200))["download"]
    assert again["id"] == first["id"], "a download on its way is answered, not started twice"
    await wait_download(coach, first["id"])
    cached = (await coach.ok("POST", "weights", body={"arch": "resnet18"}, expect=200))["download"]
    assert cached["state"] == "done"
    assert len(fake_hub.requests) == 1


async def test_offline_fails_within_seconds_with_advice(coach, torch_home, jp_serverapp):
    # A closed port on this machine: the connection is refused, as it is without a network.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    coach_app(jp_serverapp).weights.base_url_setting = f"http://127.0.0.1:{port}/models"
    t0 = time.monotonic()
    started = (await coach.ok("POST", "weights", body={"arch": "resnet34"}, expect=202))["download"]
    failed, _ = await wait_download(coach, started["id"], timeout=10)
    elapsed = time.monotonic() - t0
    assert failed["state"] == "failed"
    assert elapsed < 5, f"offline took {elapsed:.1f} s to fail"
    error = failed["error"]
    assert error["message"].startswith("This machine cannot reach the internet")
    checkpoints = str(torch_home / "hub" / "checkpoints")
    assert "resnet34-b627a593.pth" in error["advice"]
    assert checkpoints in error["advice"]
    assert "Pretrained" in error["advice"]
    assert not weights.is_cached("resnet34")


async def test_a_server_that_never_answers_fails_after_the_timeout(coach, fake_hub, torch_home):
    fake_hub.silent = True
    t0 = time.monotonic()
    started = (await coach.ok("POST", "weights", body={"arch": "alexnet"}, expect=202))["download"]
    failed, _ = await wait_download(coach, started["id"], timeout=15)
    assert failed["state"] == "failed"
    assert time.monotonic() - t0 < 6  # weights_timeout is 2 s here
    assert "cannot reach" in failed["error"]["message"] or "stalled" in failed["error"]["message"]


async def test_a_damaged_file_is_thrown_away(coach, fake_hub, torch_home):
    # Served under resnet50's real name, but its checksum cannot start with 11ad3fa6.
    fake_hub.files[weights.weights_filename("resnet50")] = FAKE
    started = (await coach.ok("POST", "weights", body={"arch": "resnet50"}, expect=202))["download"]
    failed, listing = await wait_download(coach, started["id"])
    assert failed["state"] == "failed"
    assert "checksum" in failed["error"]["message"]
    assert failed["error"]["advice"]
    folder = torch_home / "hub" / "checkpoints"
    assert list(folder.iterdir()) == [], "neither the file nor a temporary file is left"
    assert {w["arch"]: w["cached"] for w in listing["weights"]}["resnet50"] is False


async def test_a_missing_file_on_the_server_says_what_it_answered(coach, fake_hub, torch_home):
    started = (await coach.ok("POST", "weights", body={"arch": "densenet121"}, expect=202))["download"]
    failed, _ = await wait_download(coach, started["id"])
    assert failed["state"] == "failed"
    assert "404" in failed["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "arch"),
        ({"arch": "resnet9000"}, "arch"),
        ({"arch": ["resnet18"]}, "arch"),
        ({"arch": "resnet18", "url": "http://elsewhere"}, "url"),
    ],
)
async def test_bad_requests_are_400s_naming_the_field(coach, torch_home, body, field):
    code, answer = await coach.request("POST", "weights", body=body)
    assert code == 400, answer
    assert answer["field"] == field
    assert "null" not in answer["message"]


async def test_a_body_that_is_not_json_is_a_400(jp_fetch, torch_home):
    response = await jp_fetch(
        "jupyterlab-dlcoach", "weights", method="POST", body="{arch: resnet18", raise_error=False
    )
    assert response.code == 400


async def test_the_listing_names_every_architecture(coach, torch_home):
    listing = await coach.ok("GET", "weights")
    assert [w["arch"] for w in listing["weights"]] == list(weights.ARCHS)
    assert all(w["cached"] is False and w["size_mb"] is None for w in listing["weights"])
    assert listing["downloads"] == []
    assert listing["hub_dir"] == str(torch_home / "hub" / "checkpoints")


# -- the module on its own -----------------------------------------------------------------------


def test_the_hub_folder_follows_torch_rules(monkeypatch, tmp_path):
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert weights.hub_checkpoints_dir() == tmp_path / ".cache" / "torch" / "hub" / "checkpoints"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert weights.hub_checkpoints_dir() == tmp_path / "xdg" / "torch" / "hub" / "checkpoints"
    monkeypatch.setenv("TORCH_HOME", "~/th")
    assert weights.hub_checkpoints_dir() == tmp_path / "th" / "hub" / "checkpoints"


def test_is_cached_needs_a_file(torch_home):
    folder = weights.hub_checkpoints_dir()
    (folder / weights.weights_filename("resnet18")).mkdir(parents=True)
    assert not weights.is_cached("resnet18")
    (folder / weights.weights_filename("squeezenet1_1")).write_bytes(b"x")
    assert weights.cached_archs() == ["squeezenet1_1"]


def test_the_base_url_is_http_only(monkeypatch):
    monkeypatch.delenv(weights.BASE_URL_ENV, raising=False)
    assert weights.weights_url("resnet18") == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    monkeypatch.setenv(weights.BASE_URL_ENV, "http://127.0.0.1:1/mirror")
    assert weights.weights_url("resnet18") == "http://127.0.0.1:1/mirror/resnet18-f37072fd.pth"
    with pytest.raises(ValueError, match="http"):
        WeightsDownloads("file:///etc/")


def test_a_lookup_that_hangs_is_cut_off(monkeypatch, torch_home):
    """A name lookup that never returns (a socket timeout does not cover it) still ends in time."""
    release = threading.Event()

    def hanging_urlopen(*args, **kwargs):
        release.wait(30)
        raise OSError("released")

    monkeypatch.setattr(urllib.request, "urlopen", hanging_urlopen)
    downloads = WeightsDownloads("http://127.0.0.1:1/", timeout=0.5)
    t0 = time.monotonic()
    started, new = downloads.start("resnet18")
    assert new
    while downloads.get(started["id"])["state"] == "running":
        assert time.monotonic() - t0 < 5
        time.sleep(0.02)
    release.set()
    failed = downloads.get(started["id"])
    assert failed["state"] == "failed"
    assert "no answer within 0.5 s" in failed["error"]["message"]
