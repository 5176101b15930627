"""The API's Prometheus registry: request counts and latencies of the read routes (recorded by
`ReadRoute`), and gauges read at scrape time from the read model and the store."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "nmrx_api_requests", "API requests answered, by route and status", ["route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "nmrx_api_request_seconds", "Time to answer an API request, by route", ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)


class ReadModelCollector:
    """Gauges of one app's read model, computed when Prometheus scrapes."""

    def __init__(self):
        self.read = None

    def collect(self):
        read = self.read
        if read is None:
            return
        s = read.projection.state
        g = GaugeMetricFamily("nmrx_read_events", "Events folded into the read model")
        g.add_metric([], s.count)
        yield g
        g = GaugeMetricFamily("nmrx_read_claims", "Claims (RoundClaimed) in the read model")
        g.add_metric([], len(s.claims))
        yield g
        g = GaugeMetricFamily("nmrx_read_cache_hits", "Answers served from the response cache")
        g.add_metric([], read.cache.hits)
        yield g
        g = GaugeMetricFamily("nmrx_read_cache_misses", "Answers rendered")
        g.add_metric([], read.cache.misses)
        yield g
        g = GaugeMetricFamily("nmrx_read_indexer_ok", "1 when the read indexer's last poll worked")
        g.add_metric([], 0 if read.index_error else 1)
        yield g
        try:
            cursor = read.store.cursor(read.source)
            counts = read.store.job_counts()
            latest = {c: read.rates.latest(c) for c in read.rates.currencies()}
        except Exception:  # the store is down: say so instead of failing the scrape
            g = GaugeMetricFamily("nmrx_store_up", "1 when the store answers")
            g.add_metric([], 0)
            yield g
            return
        g = GaugeMetricFamily("nmrx_store_up", "1 when the store answers")
        g.add_metric([], 1)
        yield g
        g = GaugeMetricFamily("nmrx_read_cursor_block", "Last block the read indexer ingested")
        g.add_metric([], -1 if cursor is None else cursor)
        yield g
        g = GaugeMetricFamily("nmrx_jobs", "Agent jobs by state", labels=["state"])
        for state, n in sorted(counts.items()):
            g.add_metric([state], n)
        yield g
        g = GaugeMetricFamily("nmrx_rate_age_seconds",
                              "Seconds since each currency's newest rate was fetched",
                              labels=["currency"])
        for currency, rate in sorted(latest.items()):
            if rate is not None:
                g.add_metric([currency], max(time.time() - rate.fetched_at, 0))
        yield g


COLLECTOR = ReadModelCollector()
REGISTRY.register(COLLECTOR)
