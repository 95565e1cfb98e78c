"""A small Chrome DevTools Protocol client for the browser tests: Debian's headless Chromium,
driven over `--remote-debugging-pipe` (JSON messages ending in NUL on file descriptors 3 and
4), so no WebSocket library, no driver download and no port.

    with Browser.launch() as browser:
        page = browser.open(path_or_url)         # waits for the load event
        page.evaluate("document.title")
        page.console_errors, page.requests       # what the page logged and asked for
        page.screenshot(Path("shot.png"), width=1280)

`find_chromium()` names the executable (CHROMIUM, else `chromium` or `chromium-browser` on
PATH, else None).
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--no-default-browser-check", "--remote-debugging-pipe",
)  # fmt: skip
TIMEOUT = 30.0


def find_chromium() -> str | None:
    given = os.environ.get("CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class ProtocolError(RuntimeError):
    pass


class Browser:
    def __init__(self, proc: subprocess.Popen[bytes], to_browser: int, from_browser: int,
                 profile: str) -> None:  # fmt: skip
        self.proc, self._out, self._profile = proc, to_browser, profile
        self._next = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(from_browser,), daemon=True)
        self._reader.start()

    @classmethod
    @contextmanager
    def launch(cls, executable: str | None = None) -> Iterator[Browser]:
        exe = executable or find_chromium()
        if exe is None:
            raise FileNotFoundError("chromium is not installed")
        profile = tempfile.mkdtemp(prefix="tracecard-chromium-")
        cmd_r, cmd_w = os.pipe()  # we write commands, the browser reads fd 3
        res_r, res_w = os.pipe()  # the browser writes fd 4, we read

        def fds() -> None:  # in the child: the pipe ends at 3 and 4, inherited by exec
            a, b = os.dup(cmd_r), os.dup(res_w)  # first out of the way of 3 and 4
            os.dup2(a, 3)
            os.dup2(b, 4)

        proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False,
        )  # fmt: skip
        os.close(cmd_r)
        os.close(res_w)
        browser = cls(proc, cmd_w, res_r, profile)
        try:
            yield browser
        finally:
            browser.close()

    # the wire

    def _read(self, fd: int) -> None:
        buf = b""
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while True:
                chunk = stream.read(1 << 16)
                if not chunk:
                    break
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    msg = json.loads(raw)
                    if "id" in msg:
                        with self._lock:
                            self._replies[msg["id"]] = msg
                            self._lock.notify_all()
                    else:
                        self._events.put(msg)
        with self._lock:
            self._lock.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:  # fmt: skip
        self._next += 1
        ident = self._next
        msg: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session is not None:
            msg["sessionId"] = session
        os.write(self._out, json.dumps(msg).encode("utf-8") + b"\0")
        deadline = time.monotonic() + TIMEOUT
        with self._lock:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise ProtocolError(f"{method}: no answer from chromium")
                self._lock.wait(min(left, 0.5))
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise ProtocolError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def events(self) -> Iterator[dict[str, Any]]:
        """The events received so far, without waiting."""
        while True:
            try:
                yield self._events.get_nowait()
            except queue.Empty:
                return

    def wait_event(self, method: str, session: str, seen: list[dict[str, Any]]) -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError(f"timed out waiting for {method}")
            try:
                event = self._events.get(timeout=min(left, 0.5))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise ProtocolError("chromium exited") from None
                continue
            seen.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return

    # pages

    def open(self, target: Path | str, width: int = 1280, height: int = 900) -> Page:
        url = target.resolve().as_uri() if isinstance(target, Path) else target
        created = self.send("Target.createTarget", {"url": "about:blank"})
        attached = self.send("Target.attachToTarget",
                             {"targetId": created["targetId"], "flatten": True})  # fmt: skip
        page = Page(self, created["targetId"], attached["sessionId"])
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})  # fmt: skip
        page.navigate(url)
        return page

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.send("Browser.close")
                except ProtocolError:
                    pass
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            try:
                os.close(self._out)
            except OSError:
                pass
            shutil.rmtree(self._profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session
        self.log: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def navigate(self, url: str) -> None:
        self.log.clear()
        self.send("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", self.session, self.log)
        self.evaluate("1")  # a round trip, so that what the load logged has arrived
        self._drain()

    def _drain(self) -> None:
        self.log += [e for e in self.browser.events() if e.get("sessionId") == self.session]

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise ProtocolError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    @property
    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (a blocked load, a
        Content-Security-Policy violation) of the last navigation."""
        self._drain()
        out = []
        for e in self.log:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                out.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(str(params["entry"].get("text")))
        return out

    @property
    def requests(self) -> list[str]:
        """Every URL the last navigation requested."""
        self._drain()
        return [e["params"]["request"]["url"] for e in self.log
                if e.get("method") == "Network.requestWillBeSent"]  # fmt: skip

    def screenshot(self, path: Path, width: int = 1280, full: bool = True, height: int = 900,
                   selector: str | None = None) -> None:  # fmt: skip
        """The page (all of it, or the first `height` pixels), or the element `selector` names."""
        if full or selector:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            height = min(int(size["height"]) + 1, 6000)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})  # fmt: skip
        params: dict[str, Any] = {"format": "png"}
        if selector:
            box = self.evaluate(f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
                                ".getBoundingClientRect(); return [r.x, r.y + window.scrollY, "
                                "r.width, r.height]; })()")  # fmt: skip
            x, y, w, h = box
            params["clip"] = {"x": max(0, x - 16), "y": max(0, y - 16), "width": w + 32,
                              "height": h + 32, "scale": 1}  # fmt: skip
        shot = self.send("Page.captureScreenshot", params)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
