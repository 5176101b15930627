"""A loopback JSON-RPC proxy between the agent and the node that injects faults on a schedule:
timeouts (answers late), HTTP 502, dropped connections (before or after forwarding), and
refusal of eth_getLogs ranges wider than `max_log_range` blocks."""

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FaultProxy:
    def __init__(self, upstream: str, *, schedule=None, max_log_range: int | None = None, delay: float = 1.5):
        self.upstream = upstream
        self.schedule = schedule or (lambda n, method: None)  # → None | "timeout" | "5xx" | "drop" | "drop_after"
        self.max_log_range = max_log_range
        self.delay = delay
        self.count = 0
        self.faults: dict[str, int] = {}
        self.refused_ranges = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = json.loads(body)
                method = request.get("method", "") if isinstance(request, dict) else "batch"
                with proxy._lock:
                    proxy.count += 1
                    n = proxy.count
                fault = proxy.schedule(n, method)
                if fault:
                    with proxy._lock:
                        proxy.faults[fault] = proxy.faults.get(fault, 0) + 1
                if fault == "5xx":
                    return self._answer(502, b"bad gateway")
                if fault == "drop":
                    self.close_connection = True
                    return
                if method == "eth_getLogs" and proxy.max_log_range is not None:
                    f = request["params"][0]
                    width = int(f["toBlock"], 16) - int(f["fromBlock"], 16) + 1
                    if width > proxy.max_log_range:
                        with proxy._lock:
                            proxy.refused_ranges += 1
                        error = {"jsonrpc": "2.0", "id": request["id"],
                                 "error": {"code": -32005, "message": "query returned more than 10000 results"}}
                        return self._answer(200, json.dumps(error).encode())
                forward = urllib.request.Request(proxy.upstream, data=body, headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(forward, timeout=30) as response:
                    answer = response.read()
                if fault == "timeout":
                    time.sleep(proxy.delay)
                if fault == "drop_after":  # the node acted; the client never hears of it
                    self.close_connection = True
                    return
                self._answer(200, answer)

            def _answer(self, status, payload):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
