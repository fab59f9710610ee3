"""The log formats of `mfadesk serve --log-format`: one JSON object per line (for a log
shipper), or plain text (for a terminal). Both carry an event's fields (`extra={"fields": …}`:
access lines and security events), so a line says the same in either format."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "text"]


def default_format() -> LogFormat:
    """Text on a terminal, JSON otherwise (a service manager, a container, a pipe)."""
    return "text" if sys.stderr.isatty() else "json"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        event = getattr(record, "event", None)
        if event is not None:
            line["event"] = event
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for name, value in fields.items():
                line.setdefault(name, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def logging_config(log_format: LogFormat, access_log: bool) -> dict[str, Any]:
    """The `logging.config.dictConfig` that uvicorn applies in every worker process."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": "WARNING"},
        "loggers": {
            "uvicorn": {"level": "INFO"},
            "uvicorn.access": {"level": "WARNING"},  # the access lines are mfadesk.access's
            "mfadesk": {"level": "INFO"},
            "mfadesk.access": {"level": "INFO" if access_log else "WARNING"},
        },
    }
