"""Kernels forked from the template (analysis.kernel_forks): each one fresh, with its own
environment, signalled and ended like a launched kernel, and nothing left running after."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from analysis import kernel_forks, render

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork, pidfds and /proc")


def _descendants(pid: int) -> set[int]:
    """Every living (or zombie) process below `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pids: set[int], seconds: float = 10) -> set[int]:
    deadline = time.monotonic() + seconds
    while (left := {pid for pid in pids if _alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


async def _run(km: render.RenderKernelManager, code: str, timeout: float = 60) -> str:
    """Execute `code`; its stdout, or the name of the exception it raised."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        msg_id = kc.execute(code)
        out: list[str] = []
        while True:
            msg = await kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(msg["content"]["ename"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
    finally:
        kc.stop_channels()


async def _start(tmp_path: Path, **env: str) -> render.RenderKernelManager:
    km = render.RenderKernelManager(kernel_name=render.KERNEL_NAME)
    await km.start_kernel(cwd=str(tmp_path), env={**os.environ, **env})
    return km


def test_each_kernel_is_fresh_forked_and_has_its_own_environment(tmp_path: Path) -> None:
    probe = ("import json, os, sys; print(json.dumps({'page': os.environ.get('PAGE'), "
             "'getenv': os.getenv('PAGE'), 'offline': os.environ.get('DE_AN_06_RENDER'), "
             "'cwd': os.getcwd(), 'ppid': os.getppid(), 'leftover': 'marker' in globals(), "
             "'path0': sys.path[0]})); marker = 1")

    async def scenario() -> list[dict[str, Any]]:
        kms = [await _start(tmp_path, PAGE=name) for name in ("one", "two")]
        try:
            return [json.loads(await _run(km, probe)) for km in kms]
        finally:
            for km in kms:
                await km.shutdown_kernel(now=True)

    first, second = asyncio.run(scenario())
    assert (first["page"], second["page"]) == ("one", "two")
    assert first["getenv"] == "one"  # the C environment too, not only the dict
    assert first["offline"] == second["offline"] == "offline"  # the kernel spec's env
    assert first["cwd"] == second["cwd"] == first["path0"] == str(tmp_path)
    assert not first["leftover"] and not second["leftover"]
    # Both were forked from the same template, not started by this process.
    assert first["ppid"] == second["ppid"] != os.getpid()
    assert not _wait_gone(_descendants(os.getpid()))


def test_interrupt_poll_and_kill_act_on_the_forked_kernel(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, bool, bool]:
        km = await _start(tmp_path)
        try:
            assert await km.is_alive()
            running = asyncio.ensure_future(_run(km, "import time; time.sleep(60)"))
            await asyncio.sleep(3)  # well into the sleep
            await km.interrupt_kernel()
            interrupted = await asyncio.wait_for(running, 30)
            alive_after_interrupt = await km.is_alive()
            await km.provisioner.kill()
            await asyncio.wait_for(km.provisioner.wait(), 10)
            return interrupted, alive_after_interrupt, await km.is_alive()
        finally:
            await km.shutdown_kernel(now=True)

    interrupted, alive_after_interrupt, alive_after_kill = asyncio.run(scenario())
    assert interrupted == "KeyboardInterrupt"
    assert alive_after_interrupt and not alive_after_kill
    assert not _wait_gone(_descendants(os.getpid()))


def test_nothing_is_left_after_a_failing_render(tmp_path: Path) -> None:
    (tmp_path / "01_ok.py").write_text("# %% [markdown]\n# # Fine\n\n# %%\nx = 1\n",
                                       encoding="utf-8")
    (tmp_path / "02_broken.py").write_text(
        "# %% [markdown]\n# # Broken\n\n# %%\nraise ValueError('no')\n", encoding="utf-8")
    with pytest.raises(render.RenderError, match="02_broken.py"):
        render.render_all(tmp_path, tmp_path / "out")
    assert (tmp_path / "out" / "01_ok.html").exists()
    assert not _descendants(os.getpid())  # kernels and template reaped, not only killed
    assert not kernel_forks._templates


_CALLER = """
import json, sys, time
from pathlib import Path
from analysis import render
renderer = render.Renderer(Path(sys.argv[1]), Path(sys.argv[2]))
kms = list(renderer._kernels.values())
deadline = time.monotonic() + 60
while any(km.provisioner.process.pid is None for km in kms) and time.monotonic() < deadline:
    for km in kms:
        km.provisioner.process.poll()
    time.sleep(0.05)
template = kms[0].provisioner.process._template.process.pid
print(json.dumps([template] + [km.provisioner.process.pid for km in kms]), flush=True)
if sys.argv[3] == "render":
    renderer.render()
else:
    time.sleep(120)
"""


@pytest.mark.parametrize(("how", "signum"), [("idle", signal.SIGKILL),
                                             ("render", signal.SIGINT)])
def test_nothing_is_left_when_the_caller_is_interrupted(tmp_path: Path, how: str,
                                                        signum: int) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for number in (1, 2):
        (notebooks / f"0{number}_slow.py").write_text(
            "# %% [markdown]\n# # Slow\n\n# %%\nimport time\ntime.sleep(120)\n",
            encoding="utf-8")
    caller = subprocess.Popen(
        [sys.executable, "-c", _CALLER, str(notebooks), str(tmp_path / "out"), how],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(render.__file__).parents[1])})
    try:
        assert caller.stdout is not None
        pids = set(json.loads(caller.stdout.readline()))
        assert len(pids) == 3 and all(_alive(pid) for pid in pids)
        time.sleep(2)  # the notebooks are running (or the kernels idle)
        caller.send_signal(signum)
        caller.wait(timeout=30)
        # SIGKILL: the template sees its socket close and ends the kernels; SIGINT: the
        # renderer ends them on the way out.
        assert not _wait_gone(pids)
    finally:
        if caller.poll() is None:
            caller.kill()
            caller.wait()
