"""The read API's tables (migration 0005_api creates exactly these), on the store's metadata."""

from sqlalchemy import BigInteger, Column, Float, Integer, String, Table

from agent.store.schema import metadata

rates = Table(
    "rates",
    metadata,
    Column("currency", String(8), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("price", String(40), nullable=False),
    Column("source", String(64), nullable=False),
    Column("fetched_at", Float, nullable=False),
)

block_times = Table(
    "block_times",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    Column("block_number", BigInteger, primary_key=True),
    Column("timestamp", BigInteger, nullable=False),
)

round_times = Table(
    "round_times",
    metadata,
    Column("tournament", Integer, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("open_time", Float),
    Column("close_time", Float),
    Column("resolve_time", Float),
    Column("updated_at", Float, nullable=False),
)
