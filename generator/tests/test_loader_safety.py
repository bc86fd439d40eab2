"""The loader's refusals, measured as RELIABILITY.md promises: no code run, no connection made,
no file opened outside the spec's folder, bounded memory, a clean error and exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from specfirst.generator.document import Limits, parse_document
from specfirst.generator.errors import SpecLoadError
from specfirst.generator.loader import Spec

MINIMAL = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"

ALIAS_BOMB = b"""\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def spec_with_ref(folder: Path, ref: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    root = folder / "api.yaml"
    root.write_text(
        MINIMAL.replace("paths: {}", "paths: {}\ncomponents:\n  schemas:\n"
                        f"    Thing:\n      $ref: '{ref}'")
    )
    return root


class _OpenedFiles:
    """Records every path opened by this process while active (through an audit hook)."""

    active = False
    paths: list[str] = []

    @classmethod
    def hook(cls, event: str, args: tuple[object, ...]) -> None:
        if cls.active and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            cls.paths.append(os.fsdecode(args[0]))


sys.addaudithook(_OpenedFiles.hook)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    _OpenedFiles.paths = []
    _OpenedFiles.active = True
    try:
        yield _OpenedFiles.paths
    finally:
        _OpenedFiles.active = False


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A TCP listener on loopback that records every connection it accepts."""
    accepted: list[object] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(conn)
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


def test_alias_bomb_is_refused_with_bounded_memory() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(SpecLoadError, match="alias bomb"):
            parse_document("bomb.yaml", ALIAS_BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


def test_aliases_within_budget_are_accepted() -> None:
    doc = parse_document("ok.yaml", b"base: &b {type: string}\nother: *b\nmerged: {<<: *b, x: 1}\n")
    assert doc.data == {"base": {"type": "string"}, "other": {"type": "string"},
                        "merged": {"type": "string", "x": 1}}


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['echo pwned > {marker}']\n",
    "a: !!python/name:os.system\n",
    "a: !custom 1\n",
    "a: !!binary aGVsbG8=\n",
])
def test_yaml_tags_are_refused_and_nothing_runs(tmp_path: Path, text: str) -> None:
    marker = tmp_path / "marker"
    with pytest.raises(SpecLoadError, match="tag .* is not allowed") as info:
        parse_document("tags.yaml", text.format(marker=marker).encode())
    assert info.value.location is not None and info.value.location.line == 1
    assert not marker.exists()


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_nesting_is_refused_cleanly_in_a_separate_process(tmp_path: Path, shape: str) -> None:
    levels = 50_000
    if shape == "flow":
        body = "a: " + "[" * levels + "]" * levels + "\n"
    else:
        body = "".join(" " * i + f"k{i}:\n" for i in range(3000)) + " " * 3000 + "v: 1\n"
    path = tmp_path / "deep.yaml"
    path.write_text(body)
    result = subprocess.run([sys.executable, "-m", "specfirst.contract_tests.cli", "lint",
                            str(path)],
                            capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "nest" in result.stderr


def test_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path,
                                                             opened: list[str]) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(MINIMAL + "x-pad: '" + "a" * 5000 + "'\n")
    opened.clear()
    with pytest.raises(SpecLoadError, match="over the 1,000-byte limit"):
        Spec.from_path(path, Limits(max_bytes=1000))
    assert str(path) not in opened


@pytest.mark.parametrize("ref", [
    "http://127.0.0.1:{port}/schema.yaml",
    "https://127.0.0.1:{port}/schema.yaml#/Thing",
    "//127.0.0.1:{port}/schema.yaml",
    "file:///etc/passwd",
    "file://localhost/etc/hostname",
])
def test_remote_refs_are_refused_without_any_connection(tmp_path: Path, ref: str,
                                                        listener: tuple[int, list[object]],
                                                        opened: list[str]) -> None:
    port, accepted = listener
    root = spec_with_ref(tmp_path / "spec", ref.format(port=port))
    with pytest.raises(SpecLoadError, match="outside the spec") as info:
        Spec.from_path(root)
    assert accepted == []
    assert not any(p.startswith("/etc") for p in opened)
    location = info.value.location
    assert location is not None and location.line == 7 and location.file.endswith("api.yaml")


def test_absolute_and_parent_refs_are_refused_without_opening(tmp_path: Path,
                                                              opened: list[str]) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("type: string\n")
    opened.clear()
    for ref, message in [(str(outside), "absolute path"), ("../secret.yaml", "leaves the spec")]:
        root = spec_with_ref(tmp_path / "spec", ref)
        with pytest.raises(SpecLoadError, match=message):
            Spec.from_path(root)
    assert str(outside) not in opened


def test_symlink_escaping_the_folder_is_refused(tmp_path: Path, opened: list[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("type: string\n")
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "link.yaml").symlink_to(outside / "secret.yaml")
    (spec_dir / "linkdir").symlink_to(outside)
    opened.clear()
    for ref in ("link.yaml", "linkdir/secret.yaml"):
        root = spec_with_ref(spec_dir, ref)
        with pytest.raises(SpecLoadError, match="leaves the spec"):
            Spec.from_path(root)
    assert not any("outside" in p for p in opened)


def test_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    (spec_dir / "schemas").mkdir(parents=True)
    (spec_dir / "schemas" / "Thing.yaml").write_text("type: string\n")
    (spec_dir / "alias.yaml").symlink_to(spec_dir / "schemas" / "Thing.yaml")
    spec = Spec.from_path(spec_with_ref(spec_dir, "alias.yaml"))
    assert spec.document["components"]["schemas"]["Thing"] == {"type": "string"}


def test_missing_file_and_pointer_are_located(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    with pytest.raises(SpecLoadError, match="no such file") as info:
        Spec.from_path(spec_with_ref(spec_dir, "nope.yaml"))
    assert info.value.location is not None and info.value.location.line == 7
    (spec_dir / "t.yaml").write_text("a: 1\n")
    with pytest.raises(SpecLoadError, match="points at nothing"):
        Spec.from_path(spec_with_ref(spec_dir, "t.yaml#/b"))


@pytest.mark.parametrize(("raw", "message"), [
    (b"openapi: 3.0.3\n\xff\xfe: x\n", "not valid UTF-8"),
    (b"openapi: 3.0.3\ninfo:\n\ttitle: t\n", "tab character"),
    (b"openapi: 3.0.3\n---\nopenapi: 3.1.0\n", "more than one YAML document"),
    (b"openapi: 3.0.3\ninfo: [\n", "invalid YAML"),
    (b'{"openapi": "3.0.3", "info": }', "invalid JSON"),
])
def test_unreadable_documents_get_a_located_message(raw: bytes, message: str) -> None:
    with pytest.raises(SpecLoadError, match=message) as info:
        parse_document("x.yaml", raw)
    assert info.value.location is not None and info.value.location.line >= 1


def test_swagger_2_is_named_clearly(tmp_path: Path) -> None:
    path = tmp_path / "swagger.yaml"
    path.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    with pytest.raises(SpecLoadError, match="Swagger 2.0 document") as info:
        Spec.from_path(path)
    assert info.value.hint is not None and "swagger2openapi" in info.value.hint


def test_cli_reports_refusals_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    root = spec_with_ref(tmp_path / "spec", "https://example.invalid/x.yaml")
    result = subprocess.run([sys.executable, "-m", "specfirst.contract_tests.cli", "lint",
                            str(root)],
                            capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "api.yaml:7:" in result.stderr and "hint:" in result.stderr
