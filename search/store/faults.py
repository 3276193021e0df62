"""Deterministic fault injection for the crash tests: ``GOVSEARCH_FAULT=STEP`` makes a writer
die (``os._exit``, as a kill would) when it reaches ``STEP``; ``GOVSEARCH_FAULT=enospc:STEP``
makes that step fail as a full disk would.  Unset, it costs one dictionary lookup per step.

Steps, in the order an update reaches them: ``deleted`` (deletions marked, nothing written),
``segment`` (after each new segment's Whoosh files and side file), ``merge`` (after each merged
segment), ``manifest`` (after the manifest of the new commit, before its TOC), ``toc`` (after
the TOC, before old files are cleaned up).
"""

from __future__ import annotations

import errno
import os

ENV = "GOVSEARCH_FAULT"
STEPS = ("deleted", "segment", "merge", "manifest", "toc")
KILLED = 70  # the exit status of a writer killed by a fault


def reached(step: str) -> None:
    """Die, or fail as a full disk, if the environment asks for it at ``step``."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    if wanted == step:
        os._exit(KILLED)
    if wanted == f"enospc:{step}":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
