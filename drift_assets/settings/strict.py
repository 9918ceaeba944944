"""How every part of the dataset file is validated: one strict model base (unknown
keys refused, values frozen), layered settings merged key by key, and pydantic's
errors told in our words."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class Strict(BaseModel):
    """A settings model: a typo is an error, never a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep merge, so ``{psi: {warn: 0.2}}`` over a policy keeps its error tier."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def describe_validation_error(exc: ValidationError, *, prefix: str = "", label: str = "") -> str:
    """Pydantic's errors as 'field.path: message; ...' in our words, without its URLs
    (shared by the dataset file, the policy overrides and the CLI)."""
    parts = []
    for error in exc.errors():
        where = prefix + ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        parts.append(f"{label}{where or '(top level)'}: {message}")
    return "; ".join(parts)
