"""Kernels forked from one warm template process instead of started as new interpreters.

A kernel started the ordinary way is a new Python that imports ipykernel, IPython, pandas,
duckdb and Altair (whose JSON-schema validation compiles a grammar at import): ~2 s of CPU
per kernel, the same work four times per render. Here one *template* process imports them
once and forks a child per kernel; the child applies the kernel's working directory,
environment (``os.environ`` included), standard streams and arguments, and becomes an
ordinary ``IPKernelApp``. Each notebook still runs from its first cell in a kernel of its own:
the template executes no user code, so every child starts from the same clean state.

:class:`ForkProvisioner` plugs this into jupyter_client's provisioner API, so
``AsyncKernelManager`` and nbclient work unchanged: poll, wait, send_signal, kill and
terminate act on the forked kernel (signals go to its process group, as for a launched one).

Lifetime, so that nothing is left behind:

* the template is started on the first forked launch and stopped when its last kernel has
  been waited for; a kernel's zombie is kept (not reaped) until its manager waits for it, so
  its pid cannot be reused while the manager may still signal it;
* if the calling process goes away without cleaning up, the template sees its socket close,
  kills its kernels' process groups, reaps them and exits; a kernel whose template is gone
  exits by itself (ipykernel's parent poller watches the template's pid);
* if the template cannot be started or dies before forking a kernel, that kernel is launched
  the ordinary way, with a warning naming the reason.

The template starts no threads and no ZMQ context (forking a threaded process is unsafe):
pandas would start an OpenBLAS worker and pyarrow's jemalloc background thread at import, so
the template imports them with those threads switched off (``OPENBLAS_NUM_THREADS=1`` and
``background_thread:false``, unless the caller's environment sets them); the kernels inherit
that: one BLAS thread each, which is what two kernels on two cores want anyway.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.util
import itertools
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.launcher import launch_kernel
from jupyter_client.provisioning import LocalProvisioner

log = logging.getLogger(__name__)

# What a kernel would import anyway, heaviest first; measured: these are the ~2 s. Not the
# project's own modules (~0.08 s once these are loaded): they read the kernel's environment
# at import (analysis.paths.DATABASE), and each kernel gets them as they are on disk now.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython.display",
    "altair", "pandas", "duckdb",
)
# Read by the interpreter or by a native library when it is loaded, so fixed in the template:
# kernels whose values differ get a template of their own.
_LOAD_TIME_PREFIXES = ("PYTHON", "OPENBLAS_", "OMP_", "MKL_", "JE_ARROW_MALLOC_CONF",
                       "MALLOC_CONF", "LD_")
# Native threads that pandas' imports would start in the template, switched off there.
_NO_THREADS = {"OPENBLAS_NUM_THREADS": "1", "JE_ARROW_MALLOC_CONF": "background_thread:false"}
_LAUNCHER = ("-m", "ipykernel_launcher")
_MAX_MESSAGE = 1 << 20
_FDS_PER_FORK = 3


class ForkUnavailable(Exception):
    """The template cannot fork this kernel; it is launched the ordinary way instead."""


# --- the calling side ------------------------------------------------------------------------


def _template_key(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, value) for name, value in env.items()
                        if name.startswith(_LOAD_TIME_PREFIXES)))


class _Template:
    """The calling process's handle on one template process."""

    def __init__(self, env: dict[str, str]) -> None:
        if not hasattr(os, "fork") or not hasattr(socket, "send_fds") \
                or not hasattr(os, "pidfd_open"):
            raise ForkUnavailable("this platform lacks fork, fd passing or pidfds")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        template_env = {**_NO_THREADS, **env}
        template_env.pop("JPY_PARENT_PID", None)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c",
                 f"from analysis.kernel_forks import serve; serve({theirs.fileno()})"],
                pass_fds=[theirs.fileno()], env=template_env, stdin=subprocess.DEVNULL,
                # Its own session: a Ctrl-C in the terminal reaches the caller, which ends
                # the kernels, not the template.
                start_new_session=True)
        except OSError as error:
            ours.close()
            raise ForkUnavailable(f"the template process did not start: {error}") from error
        finally:
            theirs.close()
        self.sock = ours
        self.lock = threading.RLock()
        self.kernels: dict[int, _ForkedKernel] = {}
        self.ids = itertools.count(1)
        self.gone = False

    def fork(self, kernel: _ForkedKernel, argv: list[str], env: dict[str, str], cwd: str,
             fds: list[int]) -> int:
        """Ask for a kernel; the answer (its pid) arrives later, after the template's imports."""
        message = json.dumps({"op": "fork", "argv": argv, "env": env, "cwd": cwd,
                              "id": (kid := next(self.ids))}).encode()
        if len(message) > _MAX_MESSAGE // 2:
            raise ForkUnavailable("the kernel's environment and arguments are too large")
        with self.lock:
            if self.gone:
                raise ForkUnavailable("the template process has exited")
            try:
                socket.send_fds(self.sock, [message], fds)
            except OSError as error:
                raise ForkUnavailable(f"the template process is unreachable: {error}") from None
            self.kernels[kid] = kernel
        return kid

    def request(self, op: str, kid: int, **fields: Any) -> None:
        with self.lock:
            if not self.gone:
                with contextlib.suppress(OSError):
                    self.sock.send(json.dumps({"op": op, "id": kid, **fields}).encode())

    def drain(self) -> None:
        """Take in what the template has reported: forks, exits, or its own end."""
        with self.lock:
            while not self.gone:
                try:
                    data = self.sock.recv(_MAX_MESSAGE, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    return
                except OSError:
                    data = b""
                if not data:
                    self._lost()
                    return
                event = json.loads(data)
                kernel = self.kernels.get(event["id"])
                if kernel is not None:
                    kernel._event(event)

    def _lost(self) -> None:
        """The template ended on its own (crashed or killed): its kernels go on alone."""
        self.gone = True
        self.sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for kernel in list(self.kernels.values()):
            kernel._orphaned(f"the template process ended (status {self.process.returncode})")

    def release(self, kid: int) -> None:
        """A kernel has been waited for; the template ends with the last one."""
        with self.lock:
            self.kernels.pop(kid, None)
            if self.kernels:
                return
            with _templates_lock:
                for key, template in list(_templates.items()):
                    if template is self:
                        del _templates[key]
            self.close()

    def close(self) -> None:
        """End the template: it kills and reaps any kernel still running, then exits."""
        with self.lock:
            if not self.gone:
                self.gone = True
                self.sock.close()
            try:
                # Quick once its imports are done; while it is still importing it has no
                # kernels, and killing it loses nothing.
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                if not self.kernels:
                    self.process.kill()
                self.process.wait()


_templates: dict[tuple[tuple[str, str], ...], _Template] = {}
_templates_lock = threading.Lock()


def _template_for(env: dict[str, str]) -> _Template:
    key = _template_key(env)
    with _templates_lock:
        template = _templates.get(key)
        if template is None or template.gone:
            template = _templates[key] = _Template(env)
        return template


@atexit.register
def _close_templates() -> None:
    with _templates_lock:
        templates = list(_templates.values())
        _templates.clear()
    for template in templates:
        template.close()


class _ForkedKernel:
    """A forked kernel, shaped like the ``Popen`` that LocalProvisioner expects."""

    stdin = stdout = stderr = None

    def __init__(self, cmd: list[str], launch: dict[str, Any]) -> None:
        self._cmd, self._launch = cmd, launch
        self._template: _Template | None = None
        self._kid = 0
        self._pid: int | None = None
        self._pidfd: int | None = None  # to watch it if the template ends before it does
        self._popen: subprocess.Popen[bytes] | None = None  # when launched after all
        self.returncode: int | None = None
        self._reaped = False

    def start(self) -> None:
        env = dict(self._launch.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as launch_kernel sets it
        cwd = str(self._launch.get("cwd") or Path.cwd())
        streams = [self._launch.get(name) for name in ("stdin", "stdout", "stderr")]
        devnull = os.open(os.devnull, os.O_RDONLY)
        try:
            fds = [devnull if streams[0] is None else _fileno(streams[0]),
                   *(number if stream is None else _fileno(stream)
                     for number, stream in ((1, streams[1]), (2, streams[2])))]
            for attempt in (1, 2):
                template = _template_for(env)
                try:
                    self._kid = template.fork(self, self._cmd[len(_LAUNCHER) + 1:], env,
                                              cwd, fds)
                    break
                except ForkUnavailable:
                    if attempt == 2 or not template.gone:
                        raise  # else it ended as we asked (its last kernel left): a new one
        finally:
            os.close(devnull)
        self._template = template

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen else self._pid

    def _event(self, event: dict[str, Any]) -> None:
        if event["ev"] == "forked":
            self._pid = event["pid"]
            with contextlib.suppress(OSError):  # gone already: its exit is the next event
                self._pidfd = os.pidfd_open(self._pid)
        elif event["ev"] == "exited":
            self.returncode = event["status"]
        elif event["ev"] == "failed":
            self._fall_back(f"the template could not fork it: {event['error']}")

    def _orphaned(self, reason: str) -> None:
        if self._pid is None and self.returncode is None:
            self._fall_back(reason)

    def _fall_back(self, reason: str) -> None:
        log.warning("kernel launched without the fork template: %s", reason)
        self._release()
        self._popen = launch_kernel(self._cmd, **self._launch)

    def _release(self) -> None:
        if self._template is not None and not self._reaped:
            self._reaped = True
            self._template.release(self._kid)
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def poll(self) -> int | None:
        if self._popen is not None:
            return self._popen.poll()
        if self.returncode is None and self._template is not None:
            self._template.drain()
            if self._template.gone and self.returncode is None and self._pidfd is not None \
                    and select.select([self._pidfd], [], [], 0)[0]:
                self.returncode = -signal.SIGKILL  # reaped by someone else: status unknown
        return self._popen.poll() if self._popen is not None else self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the exit, then let the template reap it (the pid is free from then on)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (status := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self._cmd, timeout or 0)
            time.sleep(0.01)
        if self._popen is not None:
            return self._popen.wait()
        if self._template is not None and not self._reaped:
            self._template.request("reap", self._kid)
            self._release()
        return status

    def send_signal(self, signum: int) -> None:
        if self._popen is not None:
            self._signal_group(self._popen.pid, signum)
            return
        if self.poll() is not None or self._template is None:
            return
        if self._pid is None:  # not forked yet: the template signals it once it is
            self._template.request("signal", self._kid, signum=signum)
        elif self._template.gone:  # its pid may be anyone's once it exits: signal by pidfd
            if self._pidfd is not None:
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(self._pidfd, signum)
        else:  # until the template reaps it (on our wait), this pid is still the kernel's
            self._signal_group(self._pid, signum)

    @staticmethod
    def _signal_group(pid: int, signum: int) -> None:
        try:
            os.killpg(pid, signum)
        except OSError:
            os.kill(pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _fileno(stream: Any) -> int:
    return stream if isinstance(stream, int) else stream.fileno()


def can_fork(cmd: list[str]) -> bool:
    """Only ``<this python> -m ipykernel_launcher ...`` can be forked from the template."""
    return (len(cmd) > len(_LAUNCHER) and os.path.realpath(cmd[0]) == os.path.realpath(
        sys.executable) and tuple(cmd[1:len(_LAUNCHER) + 1]) == _LAUNCHER)


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernel process is forked from the template when it can be."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        launch = LocalProvisioner._scrub_kwargs(kwargs)
        if not can_fork(cmd):
            log.warning("kernel launched without the fork template: %s is not this "
                        "interpreter's ipykernel_launcher", cmd[:3])
            return await super().launch_kernel(cmd, **kwargs)
        kernel = _ForkedKernel(cmd, launch)
        try:
            kernel.start()
        except ForkUnavailable as reason:
            kernel._fall_back(str(reason))
        self.process = kernel  # type: ignore[assignment]
        self.pid, self.pgid = kernel.pid, None  # signals go through the kernel object
        self.cwd = launch.get("cwd", Path.cwd())
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        if self.process:
            self.process.send_signal(signum)


# --- the template process --------------------------------------------------------------------


def serve(fd: int) -> None:
    """The template's main loop: import once, then fork kernels on request until told to end."""
    sock = socket.socket(fileno=fd)
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    children: dict[int, int] = {}  # id -> pid, until reaped
    reported: set[int] = set()

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        _preload()
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        while True:
            ready, _, _ = select.select([sock, wake_r], [], [])
            if wake_r in ready:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 4096)
            if sock in ready:
                message, fds, _, _ = socket.recv_fds(sock, _MAX_MESSAGE, _FDS_PER_FORK)
                if not message:
                    break  # the caller has closed its end (or died): end everything
                request = json.loads(message)
                kid = request["id"]
                if request["op"] == "fork":
                    try:
                        pid = _fork_kernel(request, fds, sock, wake_r, wake_w)
                    except OSError as error:
                        _send(sock, {"ev": "failed", "id": kid, "error": str(error)})
                    else:
                        children[kid] = pid
                        _send(sock, {"ev": "forked", "id": kid, "pid": pid})
                    finally:
                        for number in fds:
                            os.close(number)
                elif request["op"] == "signal" and kid in children and kid not in reported:
                    with contextlib.suppress(OSError):
                        os.killpg(children[kid], request["signum"])
                elif request["op"] == "reap" and kid in children:
                    os.waitpid(children.pop(kid), 0)
                    reported.discard(kid)
            for kid, pid in children.items():
                if kid in reported:
                    continue
                # WNOWAIT: report the exit but leave the zombie, so the pid stays the kernel's
                # until the caller has waited for it.
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
                if info is not None and info.si_pid:
                    reported.add(kid)
                    status = -info.si_status if info.si_code in (
                        os.CLD_KILLED, os.CLD_DUMPED) else info.si_status
                    _send(sock, {"ev": "exited", "id": kid, "status": status})
    except (SystemExit, KeyboardInterrupt, BrokenPipeError, ConnectionResetError):
        pass
    finally:
        for pid in children.values():
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        for pid in children.values():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        # Nothing else to tidy: skip the interpreter's teardown of everything imported.
        os._exit(0)


def _preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the kernel imports it again and reports it there
            continue
    import gc

    # Objects made by the imports are never freed: keep the collector from touching (and so
    # copying) their pages in every kernel.
    gc.collect()
    gc.freeze()


def _send(sock: socket.socket, event: dict[str, Any]) -> None:
    sock.send(json.dumps(event).encode())


def _fork_kernel(request: dict[str, Any], fds: list[int], sock: socket.socket, wake_r: int,
                 wake_w: int) -> int:
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sock.close()
        os.close(wake_r)
        os.close(wake_w)
        status = _become_kernel(request, fds)
    except SystemExit as leaving:
        status = leaving.code if isinstance(leaving.code, int) else (leaving.code is not None)
    except BaseException:  # noqa: BLE001 - report it, as a failed interpreter would
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            atexit._run_exitfuncs()  # what the kernel registered, as at interpreter exit
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
    raise AssertionError("unreachable")


def _become_kernel(request: dict[str, Any], fds: list[int]) -> int:
    """In the forked child: what ``python -m ipykernel_launcher`` would be, then run it."""
    os.setsid()  # its own process group, as jupyter_client launches kernels
    for target, number in enumerate(fds):
        os.dup2(number, target)
    os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # Streams opened by the template wrote to its own descriptors 0-2, now the kernel's.
    template_pid = os.getppid()
    launcher = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [launcher.origin if launcher and launcher.origin else "ipykernel_launcher",
                *request["argv"]]
    sys.path[0] = os.getcwd()  # as `python -m` puts the working directory first
    if "numpy.random" in sys.modules:  # random reseeds itself after a fork; numpy does not
        sys.modules["numpy.random"].seed()

    from ipykernel.kernelapp import IPKernelApp

    # Its parent is the template: exit if that goes away (read from the environment at
    # import time otherwise, i.e. the template's).
    IPKernelApp.launch_instance(argv=[f"--IPKernelApp.parent_handle={template_pid}",
                                      *request["argv"]])
    return 0
