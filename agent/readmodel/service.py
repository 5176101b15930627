"""The read side of the API in one object: the store, the event projection, the rates table,
contract bindings for batched views, a response cache, and (optionally) the indexer thread that
keeps the events coming. Built once per app from the service's settings."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

from agent.chain import ContractBook
from agent.rates import Rates
from agent.readmodel import indexer as indexing
from agent.readmodel.payouts import PriceTable
from agent.readmodel.projection import Projection
from agent.store import Store

log = logging.getLogger(__name__)

RATE_CURRENCIES = ("USD", "EUR", "GBP", "CHF", "JPY", "BTC", "ETH")


class Answer(NamedTuple):
    """A rendered 200 answer, ready to send: its body, its ETag (a hash of the body, so equal
    answers share it), its raw ASGI headers, and those a 304 repeats (ETag, Cache-Control)."""

    body: bytes
    etag: str
    headers: tuple[tuple[bytes, bytes], ...]
    validators: tuple[tuple[bytes, bytes], ...]

    @classmethod
    def of(cls, body: bytes, media_type: str, extra: dict[str, str] | None = None) -> Answer:
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        # no-cache: a client may keep the answer but must revalidate it (a cheap 304) each time.
        validators = ((b"etag", etag.encode()), (b"cache-control", b"no-cache"))
        headers = ((b"content-type", media_type.encode()),
                   (b"content-length", str(len(body)).encode()), *validators,
                   *((k.lower().encode(), v.encode()) for k, v in (extra or {}).items()))
        return cls(body, etag, headers, validators)

    def matches(self, if_none_match: str | None) -> bool:
        """True when the client already holds this answer (`If-None-Match`, RFC 9110 weak
        comparison: a list of tags, `W/` ignored, or `*`)."""
        if not if_none_match:
            return False
        for tag in if_none_match.split(","):
            tag = tag.strip().removeprefix("W/")
            if tag == self.etag or tag == "*":
                return True
        return False


class ResponseCache:
    """Rendered answers keyed by (route, parameters, data version); bounded, least recently used
    dropped first. A new version makes old entries unreachable (they age out)."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_make(self, key, make: Callable[[], object]):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
        value = make()
        with self._lock:
            self.misses += 1
            self._put(key, value)
        return value

    def peek(self, key):
        """The value under `key` (counted as a hit), else None; nothing is made."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
                self.hits += 1
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._put(key, value)

    def _put(self, key, value) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)


class ReadModel:
    """What every read route answers from; one per app (see `agent.api.views.params.get_read`)."""

    def __init__(self, service, store: Store | None = None, *, min_interval: float = 0.5):
        self.service = service
        self.store = store or Store(service.settings.store_database_url).migrate()
        chain_id = service.deployments.chain_id
        self.chain_id = chain_id
        self.source = indexing.source_name(chain_id)
        self.projection = Projection(self.store, self.source, chain_id,
                                     service.deployments.addresses, min_interval=min_interval)
        self.rates = Rates(self.store)
        self.book = ContractBook(service.w3, service.deployments, service.settings.build_dir)
        self.cache = ResponseCache()
        self.lines = ResponseCache()  # request line → (owner, route) of a remembered answer
        self._prices: dict[str, tuple[tuple, PriceTable]] = {}
        self._rates_version: tuple = ()
        self._rates_checked = float("-inf")
        self._indexer_thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.index_error: str | None = None
        self.refresh_error: str | None = None
        self._market = None

    def market(self):
        """The marketplace view of the current events version (folded once per version)."""
        from agent.readmodel.market import MarketView

        version = self.projection.version
        cached = self._market
        if cached is None or cached[0] != version:
            cached = self._market = (version, MarketView(self.projection.state.market))
        return cached[1]

    def contract(self, name: str):
        return self.book.contract(name)

    def sync(self) -> tuple:
        """(events version, rates version), each caught up at most every `min_interval`."""
        version = self.projection.sync()
        now = time.monotonic()
        if now - self._rates_checked >= self.projection.min_interval or not self._rates_version:
            self._rates_version = self.rates.version()
            self._rates_checked = now
        return version, self._rates_version

    # -- answers by request line (agent.api.views.fastpath) --------------------------------------

    def remember(self, path: str, query: bytes, owner: str, route: str, version: tuple,
                 answer: Answer) -> None:
        """Keep `answer`, rendered for the owner's data `version` (taken before rendering), for
        this exact request line (raw path and query string): a later identical request is then
        served without routing or parsing (see `answered`) while that version is the newest.
        Only answers a route validated and rendered get here."""
        self.lines.put((path, query), (owner, route))
        self.cache.put(("line", path, query, version), answer)

    def answered(self, path: str, query: bytes) -> tuple[str, Answer] | None:
        """(route, answer) for a request line answered before, when the data it showed is still
        the newest (the store is checked first, as the route does); else None."""
        line = self.lines.peek((path, query))
        if line is None:
            return None
        owner, route = line
        answer = self.cache.peek(("line", path, query, self.owner_version(owner)))
        return None if answer is None else (route, answer)

    def owner_version(self, owner: str) -> tuple:
        """What one owner's payout answers depend on, caught up with the store first: the owner's
        events (a new claim or position, a rebuild) and the rates table."""
        _events, rates = self.sync()
        return self.projection.owner_version(owner), rates

    def prices(self, currency: str) -> PriceTable:
        currency = currency.upper()
        if currency == "NMR":
            return PriceTable("NMR", {})
        cached = self._prices.get(currency)
        if cached and cached[0] == self._rates_version:
            return cached[1]
        table = PriceTable(currency, self.rates.table(currency))
        self._prices[currency] = (self._rates_version, table)
        return table

    # -- the indexer thread ----------------------------------------------------------------

    def refresh_reference_data(self) -> None:
        """The periodic jobs of the read side: NMR rates from the price source and Numerai's
        round calendar (both written to the store; requests only read them)."""
        from agent.rates import default_source
        from agent.readmodel import rounds
        from agent.tournament.client import NumeraiClient

        settings = self.service.settings
        source = default_source(settings)
        if source is not None:
            self.rates.refresh(source, list(RATE_CURRENCIES))
        rounds.refresh(self.store, NumeraiClient(settings.numerai_url))

    def start_indexer(self, interval: float | None = None, refresh_every: float = 3600.0) -> None:
        """Follow the chain in a daemon thread (the API's own watcher, source `api:<chain>`),
        and refresh the rates and the round calendar every `refresh_every` seconds."""
        if self._indexer_thread is not None:
            return
        settings = self.service.settings
        watcher = indexing.indexer(
            self.service.w3, self.store, self.service.deployments, settings.build_dir,
            confirmations=settings.confirmation_depth, reorg_window=settings.reorg_window,
            max_range=settings.log_range,
        )
        interval = interval or settings.poll_interval

        def run():
            next_refresh = 0.0
            while not self._stop.is_set():
                try:
                    watcher.poll()
                    self.index_error = None
                except Exception as exc:  # keep serving what is stored; report it in /metrics
                    self.index_error = f"{type(exc).__name__}: {exc}"
                    log.warning("read model indexer: %s", self.index_error)
                if time.monotonic() >= next_refresh:
                    try:
                        self.refresh_reference_data()
                        next_refresh = time.monotonic() + refresh_every
                    except Exception as exc:  # retried in a minute; old rates stay served
                        self.refresh_error = f"{type(exc).__name__}: {exc}"
                        log.warning("read model refresh: %s", self.refresh_error)
                        next_refresh = time.monotonic() + 60
                self._stop.wait(interval)

        self._indexer_thread = threading.Thread(target=run, name="nmrx-read-indexer", daemon=True)
        self._indexer_thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._indexer_thread is not None:
            self._indexer_thread.join(timeout=10)
