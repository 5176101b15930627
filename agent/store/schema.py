"""The store's tables, as SQLAlchemy Core metadata (the migrations create exactly these)."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Every effect the agent has on the world is one row here, keyed by what it does.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", String(12), nullable=False, index=True),
    Column("sender", String(42)),
    Column("nonce", BigInteger),
    Column("gas", BigInteger),
    Column("max_fee", BigInteger),
    Column("tip", BigInteger),
    Column("tx_hash", String(66)),
    # Every hash ever signed for this job's nonce (replacements included), so recovery can find
    # whichever of them was mined.
    Column("tx_hashes", JSON),
    Column("raw_tx", Text),
    Column("block_number", BigInteger),
    Column("reason", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_epoch", BigInteger),
    Column("origin_event_id", Integer, index=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("sent_at", Float),
)
Index("ix_jobs_sender_nonce", jobs.c.sender, jobs.c.nonce)

cursors = Table(
    "cursors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("block", BigInteger, nullable=False),
    Column("updated_at", Float, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("block_hash", String(66), nullable=False),
    Column("log_index", Integer, nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("address", String(42), nullable=False),
    Column("name", String(64), nullable=False),
    Column("args", JSON, nullable=False),
    UniqueConstraint("source", "block_hash", "log_index", name="uq_events_source_block_log"),
)
Index("ix_events_source_block", events.c.source, events.c.block_number)

leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("epoch", BigInteger, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Market workflows (migration 0003_market). One row per order the agent delivers for: the hash
# `deliver` posts (ciphertext hash in file modes, submission hash in stake mode), the canonical
# prediction hash of what was sold, and a reference to the sealed blob; never the plaintext.
deliveries = Table(
    "deliveries",
    metadata,
    Column("chain_id", BigInteger, primary_key=True),
    Column("market", String(42), primary_key=True),
    Column("order_id", String(78), primary_key=True),  # decimal: ids are 256-bit
    Column("mode", String(16), nullable=False),  # file | verified_file | stake
    Column("round", Integer, nullable=False),
    Column("model_id", String(66), nullable=False),
    Column("seller", String(42), nullable=False),
    Column("buyer", String(42), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("delivery_hash", String(66)),
    Column("prediction_hash", String(66)),
    Column("blob", String(200)),  # content address of the ciphertext in the blob store
    Column("submission_filename", String(64)),  # the auto-submission's random name
    Column("submitted_at", Float),  # when the auto-submission was uploaded
    Column("reason", Text),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# The evidence behind each verdict, keyed by the hash posted on-chain with it.
evidence = Table(
    "evidence",
    metadata,
    Column("hash", String(66), primary_key=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("market", String(42), nullable=False),
    Column("order_id", String(78), nullable=False),  # decimal
    Column("body", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
)
Index("ix_evidence_order", evidence.c.chain_id, evidence.c.market, evidence.c.order_id)

# Buyers' delivery settings (migration 0004_buyer_keys): the X25519 public key FILE-mode files are
# sealed to, and for auto-submissions the buyer's upload-scoped Numerai key (a vault blob, never
# plaintext) and the Numerai model (UUID) whose slot receives them.
buyer_keys = Table(
    "buyer_keys",
    metadata,
    Column("buyer", String(42), primary_key=True),
    Column("public_key", String(64)),
    Column("numerai_key", LargeBinary),
    Column("slot_model", String(36)),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

def order_key(order_id: int) -> str:
    """An order's id as `deliveries` and `evidence` hold it: order ids are 256-bit hashes, beyond
    what an SQL integer column holds, so they are kept as decimal strings."""
    return str(int(order_id))
