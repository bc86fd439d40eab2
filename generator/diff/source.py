"""Where a version of a spec comes from: a file, or `git:REF:path` (a revision in git history).

For `git:REF:path` every YAML/JSON file under the spec's folder at that revision is written to a
temporary folder (never a symlink; bounded in count and bytes), and the spec is read from there
with `Spec.from_path`, so the loader's safety applies to history as it does to the working tree.
`path` is relative to the repository's top folder, or to the current folder when it starts with
`./` or `../`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from specfirst.generator.document import Limits
from specfirst.generator.errors import Location, SpecLoadError, UsageError
from specfirst.generator.loader import Spec

__all__ = ["GIT_PREFIX", "RevisionSpec", "load_version"]

log = logging.getLogger(__name__)

GIT_PREFIX = "git:"
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_GIT_TIMEOUT = 60


@dataclass
class RevisionSpec(Spec):
    """A spec read from a git revision: its files are shown as `REF:path`."""

    revision: str = ""
    checkout: Path = Path()
    repo_prefix: str = ""

    def display_path(self, path: Path) -> str:
        try:
            relative = path.relative_to(self.checkout)
        except ValueError:
            return super().display_path(path)
        return f"{self.revision}:{PurePosixPath(self.repo_prefix, *relative.parts)}"


def load_version(argument: str, limits: Limits | None = None, *,
                 cwd: Path | None = None) -> Spec:
    """A spec from a file path or from `git:REF:path`."""
    limits = limits or Limits()
    if not argument.startswith(GIT_PREFIX):
        return _slim(Spec.from_path(argument, limits))
    revision, sep, path = argument[len(GIT_PREFIX):].partition(":")
    if not sep or not revision or not path:
        raise UsageError(f"{argument!r}: write a git version as git:REF:path, "
                         "e.g. git:main:openapi/crm.yaml")
    return _slim(_load_revision(revision, path, limits, cwd or Path.cwd()))


def _slim(spec: Spec) -> Spec:
    """The spec without the positions of mapping keys, which only lint reports at: a diff
    locates nodes, and on an 11 MB spec the key positions are about 30 MB of the two versions
    held at once."""
    for parsed in spec.files.values():
        parsed.keys.clear()
    return spec


def _git(args: list[str], cwd: Path, *, stdin: bytes | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise UsageError("git is needed to read git:REF:path versions, and it is not installed")
    try:
        done = subprocess.run([git, *args], cwd=cwd, capture_output=True, timeout=_GIT_TIMEOUT,
                              check=False, input=stdin)
    except subprocess.TimeoutExpired:
        raise SpecLoadError(f"git {args[0]} took over {_GIT_TIMEOUT} s",
                            Location(str(cwd))) from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise SpecLoadError(f"git {args[0]} failed: {message[-1] if message else 'no output'}",
                            Location(str(cwd)))
    return done.stdout


def _load_revision(revision: str, path: str, limits: Limits, cwd: Path) -> Spec:
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    if path.startswith(("./", "../")):
        relative = os.path.relpath((cwd / path).resolve(), top.resolve())
    else:
        relative = path
    spec_path = PurePosixPath(relative.replace(os.sep, "/"))
    if spec_path.is_absolute() or ".." in spec_path.parts:
        raise UsageError(f"git:{revision}:{path}: the path must stay inside the repository")
    commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], top)
    commit_id = commit.decode().strip()
    folder = spec_path.parent
    listing = _git(["ls-tree", "-r", "-l", "-z", commit_id, "--", f"{folder}/"
                    if str(folder) != "." else "."], top)
    entries: list[tuple[PurePosixPath, str]] = []
    total = 0
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, blob_id, size = meta.split()
        file = PurePosixPath(name.decode("utf-8", errors="surrogateescape"))
        if kind != b"blob" or mode == b"120000" or file.suffix.lower() not in _SPEC_SUFFIXES:
            continue
        total += int(size)
        if len(entries) >= limits.max_files or total > limits.max_bytes * 4:
            raise SpecLoadError(f"the spec's folder at {revision} holds too many spec files "
                                "to read", Location(f"{revision}:{spec_path}"))
        entries.append((file, blob_id.decode()))
    if not any(file == spec_path for file, _ in entries):
        raise SpecLoadError(f"{spec_path} does not exist at {revision}",
                            Location(f"{revision}:{spec_path}"))
    contents = _blobs([blob for _, blob in entries], top)
    with tempfile.TemporaryDirectory(prefix="specfirst-diff-") as temp:
        checkout = Path(temp).resolve()
        for file, blob in entries:
            relative_file = file.relative_to(folder) if str(folder) != "." else file
            target = (checkout / relative_file).resolve()
            if not target.is_relative_to(checkout):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(contents[blob])
        root = checkout / (spec_path.relative_to(folder) if str(folder) != "." else spec_path)
        log.debug("read %s at %s from %d files", spec_path, revision, len(entries))
        prefix = "" if str(folder) == "." else str(folder)
        try:
            spec = Spec.from_path(root, limits)
        except SpecLoadError as exc:
            raise _relabelled(exc, checkout, revision, prefix) from None
        return RevisionSpec(path=spec.path, root_dir=spec.root_dir, document=spec.document,
                            files=spec.files, origins=spec.origins, revision=revision,
                            checkout=checkout, repo_prefix=prefix)


def _blobs(blob_ids: list[str], top: Path) -> dict[str, bytes]:
    """The contents of many blobs from one `git cat-file --batch`."""
    unique = sorted(set(blob_ids))
    output = _git(["cat-file", "--batch"], top, stdin="".join(f"{b}\n" for b in unique).encode())
    contents: dict[str, bytes] = {}
    position = 0
    for blob in unique:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        if len(header) != 3 or header[1] != b"blob":
            raise SpecLoadError(f"git cat-file could not read blob {blob}", Location(str(top)))
        size = int(header[2])
        contents[blob] = output[end + 1:end + 1 + size]
        position = end + 1 + size + 1
    return contents


def _relabelled(exc: SpecLoadError, checkout: Path, revision: str, prefix: str) -> SpecLoadError:
    """The same error, with the temporary folder shown as `REF:path`."""
    location = exc.location
    if location is None:
        return exc
    try:
        relative = Path(location.file).resolve().relative_to(checkout)
    except ValueError:
        return exc
    shown = f"{revision}:{PurePosixPath(prefix, *relative.parts)}"
    moved = Location(shown, location.line, location.column, location.pointer)
    return SpecLoadError(exc.message, moved, exc.hint)
