"""The entry point of a PDF worker process (started by documents/worker.py with `python -c`).

Apart from worker.py so that the server side never imports the renderer through it (and the two
modules do not import each other).
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from multiprocessing.connection import Connection

from enforcement.documents.render import pdf_in_this_process


def serve(fd: int, temp_dir: str) -> None:
    """A worker: (html, font dir, crash) in, ("ok", pdf) or ("error", text) out; None or EOF ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server too, which ends us
    tempfile.tempdir = temp_dir
    conn = Connection(fd)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        html, font_dir, crash = job
        if crash == "exit":
            os._exit(70)
        elif crash == "segfault":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif crash == "hang":
            time.sleep(3600)
        try:
            result = ("ok", pdf_in_this_process(html, font_dir))
        except Exception as exc:  # a Python-level failure: this render only, the worker stays
            result = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(result)
