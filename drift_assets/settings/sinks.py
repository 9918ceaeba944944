"""The ``alerts.sinks:`` section: where a route's messages go besides Slack. A sink is
a signed generic webhook or a class of the user's, named ``module:Class``; the class
is imported when the file is read, so a typo is a one-line error then, not at 3 am."""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import Field, model_validator

from drift_assets.settings.strict import Strict

SLACK_SINK = "slack"  # the built-in sink every route uses unless it names another


class WebhookSink(Strict):
    """A JSON POST to ``url``, signed with HMAC-SHA256 of the secret in ``secret_env``."""

    url: str = Field(pattern=r"^https?://")
    # The name of the environment variable holding the shared secret (never the secret).
    secret_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout_s: float = Field(10.0, gt=0)


class SinkConfig(Strict):
    """Exactly one of ``webhook`` or ``class`` (``module:Class``, built with ``options``)."""

    webhook: WebhookSink | None = None
    class_path: str | None = Field(None, alias="class")
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_kind(self) -> SinkConfig:
        if (self.webhook is None) == (self.class_path is None):
            raise ValueError("give exactly one of webhook or class")
        if self.class_path is not None:
            load_sink_class(self.class_path)
        return self


def load_sink_class(path: str) -> type:
    """The class ``module:Class`` names; ValueError in one line when it cannot be
    imported or does not have the sink interface (a ``post`` method)."""
    module_name, _, class_name = path.partition(":")
    if not module_name or not class_name:
        raise ValueError(f"{path!r} is not module:Class")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot import {path}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(cls, type) or not callable(getattr(cls, "post", None)):
        raise ValueError(
            f"{path} is not a sink: it needs a method post(channel, message, thread_ts)"
        )
    return cls
