"""Logging for pipeline jobs: everything to the rule's log file, errors there too."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def job_logging(log_path: str | Path | None) -> Iterator[logging.Logger]:
    """Send log records to ``log_path`` (and warnings to stderr); log any exception
    with its traceback before it propagates, so the log says why a job failed."""
    handlers: list[logging.Handler] = []
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING if log_path else logging.INFO)
    handlers.append(stderr)
    logging.basicConfig(level=logging.INFO, format=FORMAT, handlers=handlers, force=True)
    logging.captureWarnings(True)
    logger = logging.getLogger("actstudy")
    try:
        yield logger
    except Exception:
        logger.exception("job failed")
        raise
    finally:
        logging.shutdown()
