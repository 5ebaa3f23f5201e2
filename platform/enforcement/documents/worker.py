"""PDF rendering in worker processes, so that rendering can never take the server down.

A crash inside Pango (a segfault), a hang or a leak ends a worker, never the web server: that one
request gets a `RenderError` (a Chinese message), other requests keep their own workers, and the next
render starts a fresh one. A worker is a fresh interpreter (``python -c`` … `serve`), not a fork of
the multi-threaded server (which could copy a lock another thread holds) nor a multiprocessing child
(which would run the server's main module again), talking over a socket pair; workers start lazily,
at most RENDER_WORKERS of them, and are reused, so each keeps its own FontConfiguration and font
stylesheet warm (half the cost of a render, bench/render_documents.py). A worker is retired after
RENDER_MAX_TASKS renders to bound what a long run leaks. Waiting for a free worker and the render
itself each take RENDER_TIMEOUT seconds at most; a worker past it is killed. Each worker's temporary files (WeasyPrint's copies of the fonts) live in a folder the
server removes when the worker ends, however it ends.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from enforcement.documents import RenderError, setting

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_TASKS = 500
# Test-only: set in the server's environment, makes the worker of each render die ("exit",
# "segfault") or hang ("hang") instead of rendering (tests/integration/test_render_isolation.py).
CRASH_VARIABLE = "ENFORCEMENT_TEST_RENDER_CRASH"

FAILED = "文书 PDF 生成失败（排版进程异常退出），请稍后重试；如仍失败请联系系统管理员"
TIMED_OUT = "文书 PDF 生成超时，请稍后重试；如仍超时请联系系统管理员"
BUSY = "文书 PDF 生成繁忙，请稍后重试"
BROKEN = "文书 PDF 排版出错，请检查文书内容；如仍失败请联系系统管理员"
# The folder that holds the `enforcement` package, for the worker's interpreter.
SOURCE_ROOT = str(Path(__file__).resolve().parents[2])
# The worker's own module (documents/render_process.py) imports the renderer; this one must not.
WORKER_MAIN = (
    "import sys; from enforcement.documents.render_process import serve; "
    "serve(int(sys.argv[1]), sys.argv[2])"
)


class _Failed(Exception):
    """The worker answered with an error (it is still alive)."""


class _Worker:
    def __init__(self) -> None:
        self.temp_dir = tempfile.mkdtemp(prefix="enforcement-pdf-")
        self.conn, child = multiprocessing.Pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE_ROOT, env.get("PYTHONPATH")]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", WORKER_MAIN, str(child.fileno()), self.temp_dir],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            self.conn.close()
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            raise
        finally:
            child.close()
        self.renders = 0

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def render(self, job: tuple[str, str, str | None], timeout: float) -> bytes:
        self.conn.send(job)
        if not self.conn.poll(timeout):
            raise TimeoutError
        status, payload = self.conn.recv()  # EOFError: the worker died
        self.renders += 1
        if status != "ok":
            raise _Failed(payload)
        return payload

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.conn.close()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


class RenderPool:
    """At most `size` workers; a request borrows one (the most recently used first: its fonts are
    warm), and gives it back, or a free slot when the worker had to go."""

    def __init__(self, size: int, max_tasks: int) -> None:
        self._max_tasks = max_tasks
        self._slots: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(max(size, 1)):
            self._slots.put(None)
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()

    def _start(self) -> _Worker:
        worker = _Worker()
        with self._lock:
            self._workers.add(worker)
        return worker

    def _end(self, worker: _Worker, kill: bool) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.stop(kill=kill)

    def render(self, html: str, font_dir: str, timeout: float, crash: str | None = None) -> bytes:
        try:
            worker = self._slots.get(timeout=timeout)
        except queue.Empty:
            raise RenderError(BUSY) from None
        try:
            if worker is not None and not worker.alive:
                self._end(worker, kill=True)  # died while idle (e.g. the OOM killer)
                worker = None
            if worker is None:
                worker = self._start()
            return worker.render((html, font_dir, crash), timeout)
        except TimeoutError:
            log.error("PDF worker %s took over %s s: killed", worker.process.pid, timeout)
            self._end(worker, kill=True)
            worker = None
            raise RenderError(TIMED_OUT) from None
        except (EOFError, OSError) as exc:
            if worker is not None:
                self._end(worker, kill=True)
                log.error("PDF worker died (exit code %s): %r", worker.process.returncode, exc)
            worker = None
            raise RenderError(FAILED) from None
        except _Failed as exc:
            log.error("PDF render failed: %s", exc)
            raise RenderError(BROKEN) from None
        except BaseException:  # interrupted mid-render: its answer must not reach the next one
            if worker is not None:
                self._end(worker, kill=True)
            worker = None
            raise
        finally:
            if worker is not None and worker.renders >= self._max_tasks:
                retired, worker = worker, None
                threading.Thread(target=self._end, args=(retired, False), daemon=True).start()
            self._slots.put(worker)

    def shutdown(self) -> None:
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            self._end(worker, kill=False)


_POOL: RenderPool | None = None
_POOL_PID: int | None = None
_POOL_LOCK = threading.Lock()


def pool() -> RenderPool:
    """The process's pool, made on first use (and again in a forked child, which has no workers)."""
    global _POOL, _POOL_PID
    with _POOL_LOCK:
        if _POOL is None or _POOL_PID != os.getpid():
            _POOL = RenderPool(
                int(setting("RENDER_WORKERS", DEFAULT_WORKERS)),
                int(setting("RENDER_MAX_TASKS", DEFAULT_MAX_TASKS)),
            )
            _POOL_PID = os.getpid()
        return _POOL


def render_pdf(html: str, font_dir: str) -> bytes:
    timeout = float(setting("RENDER_TIMEOUT", DEFAULT_TIMEOUT))
    return pool().render(html, font_dir, timeout, os.environ.get(CRASH_VARIABLE))


@atexit.register
def shutdown() -> None:
    """End the workers (and remove their temporary files) when the server stops."""
    if _POOL is not None and _POOL_PID == os.getpid():
        _POOL.shutdown()
