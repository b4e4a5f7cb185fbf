"""``make lab`` works: the Jupyter server it starts lists notebooks/ and runs a kernel that
imports the project.

The command is read from the Makefile's ``lab`` recipe (so this tests what ``make lab`` runs),
with test-only flags added: 127.0.0.1, a free port, a random token, no browser, and private
config and runtime folders.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
import websocket

from analysis import config

HOST = "127.0.0.1"
START_TIMEOUT = 30  # seconds until /api/status must answer
REPLY_TIMEOUT = 20  # seconds for the kernel to run one cell


def lab_command() -> list[str]:
    """The ``make lab`` recipe with ``$(BIN)/python`` replaced by this interpreter."""
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, "the Makefile has no lab target"
    (line,) = [ln.strip() for ln in match.group(1).splitlines() if "$(BIN)/python" in ln]
    command = shlex.split(line.lstrip("@"))
    assert command[0] == "$(BIN)/python", line
    # $(ALLOW_ROOT) is make's --allow-root when run as root; the fixture adds it the same way.
    return [sys.executable, *[c for c in command[1:] if c != "$(ALLOW_ROOT)"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def test_lab_command_is_jupyter_lab_on_the_notebooks_folder():
    command = lab_command()
    assert command[1:4] == ["-m", "jupyter", "lab"]
    assert "--notebook-dir=notebooks" in command


@pytest.fixture
def lab_server(tmp_path):
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_PLATFORM_DIRS="1")
    command = lab_command() + [
        "--no-browser", f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI often run as root, where jupyter refuses to start without this flag.
        command.append("--allow-root")
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(command, cwd=config.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                log_text = (tmp_path / "server.log").read_text()
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log_text}")
            try:
                if session.get(f"{base}/api/status", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer from {base}/api/status after {START_TIMEOUT} s:\n"
                            f"{(tmp_path / 'server.log').read_text()}")
            time.sleep(0.2)
        yield base, session, token
    finally:
        try:
            session.post(f"{base}/api/shutdown", timeout=5)
        except requests.RequestException:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        log.close()


def execute(base: str, token: str, kernel_id: str, code: str) -> str:
    """Run ``code`` in the kernel over its websocket; returns what it printed to stdout."""
    url = base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=REPLY_TIMEOUT)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out, deadline = [], time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                pytest.fail(f"the kernel raised {content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)
        pytest.fail(f"no idle status from the kernel within {REPLY_TIMEOUT} s")
    finally:
        ws.close()


def test_make_lab_serves_the_notebooks_and_a_project_kernel(lab_server):
    base, session, token = lab_server
    listing = session.get(f"{base}/api/contents/", timeout=10)
    assert listing.status_code == 200
    served = sorted(item["name"] for item in listing.json()["content"] if item["type"] == "notebook")
    assert served == sorted(p.name for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert requests.get(f"{base}/api/contents/", timeout=10).status_code == 403  # no token, no entry

    started = session.post(f"{base}/api/kernels", json={"name": "python3"}, timeout=20)
    assert started.status_code == 201, started.text
    kernel_id = started.json()["id"]
    try:
        code = "import sys, analysis\nprint(analysis.__name__)\nprint(sys.executable)"
        printed = execute(base, token, kernel_id, code)
        name, executable = printed.splitlines()
        assert name == "analysis"
        assert executable == sys.executable  # the project's environment is the kernel
    finally:
        deleted = session.delete(f"{base}/api/kernels/{kernel_id}", timeout=20)
    assert deleted.status_code == 204
    assert session.get(f"{base}/api/kernels", timeout=10).json() == []
