"""Deterministic fault injection for the crash tests: ``GOVSEARCH_FAULT=STEP`` makes a writer
die (``os._exit``, as a kill would) when it reaches ``STEP``; ``GOVSEARCH_FAULT=enospc:STEP``
makes that step fail as a full disk would; ``GOVSEARCH_FAULT=pause:STEP`` makes it wait
``PAUSE`` seconds there (an update a test interrupts is then surely still running).  With
``GOVSEARCH_FAULT_ONCE=FILE`` too, the kill happens once (a retry, as Ray's of a shard's task,
goes on).  Unset, it costs one dictionary lookup per step.

Steps, in the order an update reaches them: ``deleted`` (deletions marked, nothing written),
``segment`` (after each new segment's Whoosh files and side file), ``merge`` (after each merged
segment), ``manifest`` (after the manifest of the new commit, before its TOC), ``toc`` (after
the TOC, before old files are cleaned up).
"""

from __future__ import annotations

import errno
import os
import time

ENV = "GOVSEARCH_FAULT"
ONCE = "GOVSEARCH_FAULT_ONCE"  # a file: the fault fires only while it does not exist (it is made)
STEPS = ("deleted", "segment", "merge", "manifest", "toc")
KILLED = 70  # the exit status of a writer killed by a fault
PAUSE = 30.0  # seconds a ``pause:STEP`` fault waits


def reached(step: str) -> None:
    """Die, or fail as a full disk, if the environment asks for it at ``step``."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    if wanted == step:
        once = os.environ.get(ONCE)
        if once:
            try:
                os.close(os.open(once, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return  # it fired already: a retry goes on
        os._exit(KILLED)
    if wanted == f"pause:{step}":  # still working when a test interrupts it (Ctrl-C)
        time.sleep(PAUSE)
        return
    if wanted == f"enospc:{step}":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
