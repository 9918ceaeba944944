"""Reading a YAML settings file safely and within bounds: at most ``MAX_BYTES`` and
``MAX_DEPTH`` levels, UTF-8 text, plain YAML only (no tags, anchors or aliases),
no key given twice. Anything else is one ``YamlFileError`` line naming the file.

The bounds are checked before anything is built: the size from the file system,
the depth and the forbidden features from the parser's event stream, so a 50 MB
file or one nested 5,000 deep is refused at once instead of after minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# 1 MiB holds about 15,000 datasets; PyYAML builds about 0.5 MB a second.
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64

# The C parser when PyYAML was built with libyaml (about ten times faster).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(ValueError):
    """A settings file that cannot be read as bounded, plain YAML; one line."""


class _UniqueKeyLoader(_Loader):
    """The safe loader, refusing a mapping that gives a key twice (YAML says keys
    are unique; PyYAML would silently keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key; the constructor says so below
                continue
            if duplicate:
                mark = key_node.start_mark
                raise YamlFileError(
                    f"line {mark.line + 1}, column {mark.column + 1}: key {key!r} is given twice"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path, *, what: str = "settings file") -> Any:
    """The file's YAML document as plain Python (None when it is empty)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise YamlFileError(f"{file}: not a regular file")
        if size > MAX_BYTES:
            raise YamlFileError(f"{file}: the {what} is {size:,} bytes; the limit is {MAX_BYTES:,}")
        data = file.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        raise YamlFileError(f"{file}: cannot read the {what} ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:  # grew while we looked, or a device that reports 0 bytes
        raise YamlFileError(f"{file}: the {what} is over the limit of {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlFileError(
            f"{file}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from exc
    try:
        _check_events(text)
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a safe loader
    except YamlFileError as exc:
        raise YamlFileError(f"{file}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise YamlFileError(f"{file}:{where} not valid YAML: {_one_line(problem)}") from None


def _check_events(text: str) -> None:
    """Depth, tags and aliases, from the parser's events (nothing is built yet)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise _at(event, "anchors and aliases (*name) are not supported; use defaults:")
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _at(event, f"tags ({tag}) are not supported; write plain values")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _at(event, f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _at(event: yaml.Event, message: str) -> YamlFileError:
    mark = event.start_mark
    return YamlFileError(f"line {mark.line + 1}, column {mark.column + 1}: {message}")


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
