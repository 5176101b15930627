"""The agent's service loop and the core it runs.

`Lifecycle` is pymaker's: `on_startup`, `every(interval, fn)`, `on_shutdown`, stopped gracefully
by SIGTERM/SIGINT (the task running finishes first). Like silverback, it does not spin on a
broken dependency: after `max_failures` consecutive failures of one task its circuit breaker
opens, the loop stops, and `run()` raises `CircuitOpen` naming the task and its last error.

`AgentCore` wires the generic parts (store, sender, watchers, lease) and answers `/health`.
Flows (staking, claims, relays) plug in as more `every` tasks and watcher handlers.
"""

import json
import logging
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from web3 import Web3

from agent.chain import ChainError, Deployments
from agent.config import Settings
from agent.errors import NmrxError
from agent.keys import load_account
from agent.lease import Lease
from agent.sender import RevertDecoder, Sender, connect
from agent.store import PENDING, Store, StoreError
from agent.watcher import Watcher

log = logging.getLogger(__name__)


class CircuitOpen(NmrxError, RuntimeError):
    """A task failed too many times in a row; the service stopped instead of spinning."""


@dataclass
class _Task:
    name: str
    interval: float
    fn: Callable[[], object]
    next_run: float = 0.0
    failures: int = 0
    runs: int = 0


@dataclass
class Status:
    """What `/health` reports about the loop."""

    started_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    stopped_reason: str | None = None
    failures: dict[str, int] = field(default_factory=dict)


class Lifecycle:
    """Run start-up hooks, then periodic tasks until stopped, then shutdown hooks (always)."""

    def __init__(self, name: str = "nmrx-agent", *, max_failures: int = 5, backoff: float = 0.5):
        self.name = name
        self.max_failures = max_failures
        self.backoff = backoff
        self.status = Status()
        self._startup: list[Callable[[], object]] = []
        self._shutdown: list[Callable[[], object]] = []
        self._tasks: list[_Task] = []
        self._stop = threading.Event()

    def on_startup(self, fn):
        self._startup.append(fn)
        return fn

    def on_shutdown(self, fn):
        self._shutdown.append(fn)
        return fn

    def every(self, interval: float, fn=None, *, name: str | None = None):
        """Run `fn` every `interval` seconds (usable as a decorator: `@life.every(5)`)."""

        def register(f):
            self._tasks.append(_Task(name or f.__name__, interval, f))
            return f

        return register(fn) if fn is not None else register

    def stop(self, reason: str = "stop requested") -> None:
        if not self._stop.is_set():
            self.status.stopped_reason = reason
            self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Block until stopped. Raises CircuitOpen when a task keeps failing."""
        previous = self._install_signals()
        self.status.started_at = time.time()
        _event(log, "service.start", name=self.name)
        try:
            for hook in self._startup:
                hook()
            self._loop()
        finally:
            for hook in self._shutdown:
                try:
                    hook()
                except Exception:
                    log.exception("shutdown hook %s failed", getattr(hook, "__name__", hook))
            self._restore_signals(previous)
            _event(log, "service.stop", name=self.name, reason=self.status.stopped_reason)

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            due = [t for t in self._tasks if t.next_run <= now]
            for task in due:
                if self._stop.is_set():
                    return
                self._run_task(task)
            if not self._tasks:
                self._stop.wait(0.1)
                continue
            wait = min(t.next_run for t in self._tasks) - time.monotonic()
            if wait > 0:
                self._stop.wait(wait)

    def _run_task(self, task: _Task) -> None:
        try:
            task.fn()
        except Exception as exc:
            task.failures += 1
            self.status.failures[task.name] = task.failures
            self.status.last_error = f"{task.name}: {type(exc).__name__}: {exc}"
            self.status.last_error_at = time.time()
            _event(log, "task.failed", level=logging.ERROR, task=task.name, failures=task.failures,
                   error=f"{type(exc).__name__}: {exc}", trace=traceback.format_exc(limit=3))
            if task.failures >= self.max_failures:
                self.stop(f"circuit open: {task.name} failed {task.failures} times in a row")
                raise CircuitOpen(
                    f"{task.name} failed {task.failures} times in a row (last: {type(exc).__name__}: {exc}); "
                    "the agent stopped instead of retrying forever: fix the cause and restart it"
                ) from exc
            task.next_run = time.monotonic() + min(task.interval + self.backoff * 2 ** task.failures, 60)
            return
        task.runs += 1
        if task.failures:
            self.status.failures[task.name] = 0
        task.failures = 0
        task.next_run = time.monotonic() + task.interval

    def _install_signals(self):
        if threading.current_thread() is not threading.main_thread():
            return None
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.getsignal(sig)
            signal.signal(sig, lambda signum, _frame: self.stop(f"signal {signal.Signals(signum).name}"))
        return previous

    @staticmethod
    def _restore_signals(previous) -> None:
        for sig, handler in (previous or {}).items():
            signal.signal(sig, handler)


def _event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields) -> None:
    """One structured log line: the event name and its fields as JSON."""
    logger.log(level, "%s %s", event, json.dumps(fields, default=str, sort_keys=True))


# -- the core ---------------------------------------------------------------------------------


class AgentCore:
    """Store + sender (+ lease) + watchers, run by a Lifecycle; flows add tasks and handlers."""

    def __init__(
        self,
        settings: Settings,
        w3: Web3,
        store: Store,
        sender: Sender | None,
        *,
        lease: Lease | None = None,
        watchers: list[Watcher] | None = None,
        lifecycle: Lifecycle | None = None,
    ):
        self.settings, self.w3, self.store, self.sender, self.lease = settings, w3, store, sender, lease
        self.watchers = list(watchers or [])
        self.life = lifecycle or Lifecycle(max_failures=settings.max_failures)
        self.life.on_startup(self.startup)
        self.life.on_shutdown(self.shutdown)
        for watcher in self.watchers:
            self.life.every(settings.poll_interval, watcher.poll, name=f"watch:{watcher.name}")
        if sender is not None:
            self.life.every(settings.poll_interval, self.send, name="send")

    def watch(self, name: str, source, *, start_block: int = 0, handlers=None) -> Watcher:
        """A watcher configured from the settings (depth, reorg window, log range), polled every
        `poll_interval`."""
        watcher = Watcher(
            self.w3, self.store, name, source, start_block=start_block,
            confirmations=self.settings.confirmation_depth, reorg_window=self.settings.reorg_window,
            max_range=self.settings.log_range, handlers=handlers,
        )
        self.watchers.append(watcher)
        self.life.every(self.settings.poll_interval, watcher.poll, name=f"watch:{name}")
        return watcher

    @property
    def leader(self) -> bool:
        return self.lease is None or self.lease.held

    def startup(self) -> None:
        if self.sender is not None and (self.lease is None or self.lease.acquire()):
            self.sender.recover()

    def send(self) -> None:
        """One sending round, by the lease holder only."""
        if self.lease is not None:
            was_leader = self.lease.held
            if not self.lease.acquire():
                return
            if not was_leader:
                self.sender.recover()  # a new leader first finishes what its predecessor sent
        self.sender.run_once(self.settings.job_batch_size, stuck_after=self.settings.stuck_after)

    def shutdown(self) -> None:
        if self.lease is not None:
            self.lease.release()

    def health(self) -> dict:
        """Cursor lag per watcher, jobs pending, last error, leadership."""
        counts = self.store.job_counts()
        errors = [e for e in (self.life.status.last_error, self.sender and self.sender.last_error) if e]
        return {
            "cursor_lag": {w.name: w.lag() for w in self.watchers},
            "cursors": self.store.cursors(),
            "jobs_pending": sum(counts.get(s, 0) for s in PENDING),
            "jobs": counts,
            "last_error": errors[0] if errors else None,
            "leader": self.leader,
            "stopped": self.life.status.stopped_reason,
        }


@dataclass
class StartupChecks:
    """What `check_startup` found, ready to wire into an AgentCore."""

    account: object
    w3: Web3
    deployments: Deployments
    store: Store
    decoder: RevertDecoder


def check_startup(settings: Settings, required: tuple[str, ...] = ("NMR",)) -> StartupChecks:
    """Fail fast, one clear message per problem: keystore missing or wrong password (KeystoreError),
    RPC unreachable or contracts not deployed (ChainError), store unreachable (StoreError)."""
    account = load_account(settings.agent_keystore, settings.agent_password_file)
    w3 = connect(settings.chain_url, timeout=settings.rpc_timeout, retries=1)
    try:
        chain_id = w3.eth.chain_id
    except Exception:
        raise ChainError(f"no Ethereum node answers at {settings.chain_url}; start one or fix NMRX_RPC_URL") from None
    deployments = Deployments.load(settings.deployments_dir, chain_id)
    for name in required:
        if w3.eth.get_code(deployments[name]) in (b"", b"\x00"):
            raise ChainError(
                f"{name} is not deployed on chain {chain_id} (no code at {deployments[name]}); "
                "run `nmrx deploy` or fix NMRX_DEPLOYMENTS_DIR"
            )
    store = Store(settings.store_database_url)
    try:
        store.check()
        store.migrate()
    except StoreError:
        raise
    return StartupChecks(account, w3, deployments, store, RevertDecoder.from_build_dir(settings.build_dir))
