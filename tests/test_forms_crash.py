"""A save killed at any moment leaves the previous ratings file intact and parseable.

A child process opens a large ratings file and saves it through the forms' own save path
(RatingsDocument.save: history append, temporary file, fsync, rename); the test SIGKILLs it.

- At each critical moment of a save (the child pauses there and says so): after the history
  append, half-way through writing the temporary file, after writing it, just before the
  rename, just after the rename. Before the rename the file must be byte-for-byte the previous
  version; after it, the complete new version.
- At random moments, over and over, while the child saves in a loop: the file must always be a
  complete version, the last one the child reported saved or the one it was saving.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ccua.forms import RatingsDocument
from ccua.ratings import load_ratings
from ccua.spec import load_framework

ROOT = Path(__file__).resolve().parents[1]
NOTE = "访谈记录与文件审阅的发现，" * 60  # ~800 characters per entry, ~90 entries

CHILD = textwrap.dedent("""
    import os, sys, time
    from ccua.forms import RatingsDocument
    from ccua.spec import load_framework

    path, mode = sys.argv[1], sys.argv[2]
    doc = RatingsDocument(path, load_framework("t-ccua"), assessor="child")

    def pause(marker):
        print(marker, flush=True)
        time.sleep(60)             # the parent kills us here

    if mode.startswith("fsync-"):   # pause at the n-th fsync of the save
        wanted, seen, real_fsync = int(mode.split("-")[1]), [0], os.fsync
        def fsync(fd):
            seen[0] += 1
            if seen[0] == wanted:
                pause("paused")
            real_fsync(fd)
        os.fsync = fsync
    elif mode == "half-written":    # a slow disk: half the temporary file is written
        real_fdopen = os.fdopen
        class Half:
            def __init__(self, fh):
                self.fh = fh
            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                self.fh.flush()
                pause("paused")
            def __getattr__(self, name):
                return getattr(self.fh, name)
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return self.fh.__exit__(*exc)
        os.fdopen = lambda fd, *a, **k: Half(real_fdopen(fd, *a, **k))
    elif mode == "before-rename":
        real_replace = os.replace
        def replace(src, dst):
            if str(dst) == path:
                pause("paused")
            real_replace(src, dst)
        os.replace = replace

    n = 0
    print("ready", flush=True)
    while True:
        n += 1
        doc.set_entry("SP1", "a", rating=n % 6, note=f"round {n} " + "改" * 4000)
        doc.save()
        print(f"saved {n}", flush=True)
        if mode != "loop":
            break
""")


def write_ratings(folder: Path, note: str) -> Path:
    """A fully rated T/CCUA ratings file, saved once (round 0), and the child script."""
    fw = load_framework("t-ccua")
    path = folder / "ratings.yaml"
    doc = RatingsDocument(path, fw, assessor="setup")
    for item in fw.items:
        for req in item.requirements:
            for key in [f"{req.code}.{s.code}" for s in req.subpoints] or [req.code]:
                doc.set_entry(item.code, key, rating=3, note=note)
    doc.set_entry("SP1", "a", rating=0, note="round 0")
    doc.save()
    (folder / "child.py").write_text(CHILD, encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Deterministic pauses do not need a large file; a small one keeps the test quick."""
    return write_ratings(tmp_path, "访谈")


@pytest.fixture
def large(tmp_path: Path) -> Path:
    """About 200 KB, so that a save takes long enough to be killed at varied moments."""
    path = write_ratings(tmp_path, NOTE)
    assert path.stat().st_size > 150_000
    return path


def start_child(path: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(path.parent / "child.py"), str(path), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def wait_for(proc: subprocess.Popen[str], marker: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == marker:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"child ended before {marker!r}: {proc.stderr.read()}")
    raise AssertionError(f"child never said {marker!r}")


def kill(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return out


def round_of(path: Path) -> int:
    """Which version the file is: parse it fully (it must be valid) and read its round."""
    ratings = load_ratings(path)
    assert len(ratings.items) == 19
    note = ratings.items["SP1"].ratings["a"].note
    match = re.match(r"round (\d+)", note)
    assert match, note[:40]
    return int(match.group(1))


@pytest.mark.parametrize(
    ("mode", "expect_new"),
    [
        ("fsync-1", False),  # history appended and synced; file not touched yet
        ("half-written", False),  # the temporary file is half written
        ("fsync-2", False),  # the temporary file is written, not yet synced or renamed
        ("before-rename", False),  # synced, about to be renamed over the file
        ("fsync-3", True),  # renamed; the folder is not synced yet
    ],
)
def test_kill_at_each_moment_of_a_save(small: Path, mode: str, expect_new: bool):
    previous = small.read_bytes()
    proc = start_child(small, mode)
    wait_for(proc, "paused")
    kill(proc)
    if expect_new:
        assert round_of(small) == 1
    else:
        assert small.read_bytes() == previous
        assert round_of(small) == 0
    leftovers = [p.name for p in small.parent.iterdir() if p.name.endswith(".tmp")]
    assert (mode in ("half-written", "fsync-2", "before-rename")) == bool(leftovers)
    # The assessor can carry on: the next form opens the file and saves over it.
    doc = RatingsDocument(small, load_framework("t-ccua"), assessor="next")
    doc.set_entry("SP2", "a", rating=5)
    assert doc.save().saved and load_ratings(small).items["SP2"].ratings["a"].rating == 5


def test_random_kills_while_saving_in_a_loop(large: Path):
    rng = random.Random(20260916)
    last = 0
    for _ in range(5):
        proc = start_child(large, "loop")
        wait_for(proc, "ready")
        time.sleep(rng.uniform(0.0, 1.2))
        out = kill(proc)
        saved = [int(n) for n in re.findall(r"saved (\d+)", out)]
        done = saved[-1] if saved else 0
        found = round_of(large)  # complete and valid, never a mixture
        # The file is the last version the child reported, or the one it was writing (killed
        # after the rename, before it could say so); round 0 is the version before any child.
        assert found in ({done, done + 1} if done else {last, 1}), (found, done, last)
        last = found
    history = (large.parent / "ratings.history.jsonl").read_text(encoding="utf-8")
    assert "setup" in history.splitlines()[0]
