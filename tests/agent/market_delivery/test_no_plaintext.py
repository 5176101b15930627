"""After deliveries in every mode, the store holds neither the prediction file nor the buyer's
Numerai secret: scanned in the SQLite file's bytes (WAL included) and in `pg_dump`'s output of the
PostgreSQL store; the blob folder holds only ciphertexts."""

import subprocess
from pathlib import Path

import pgserver
from sqlalchemy.engine import make_url

from tests.unitary.market_fixtures import FILE, STAKE, VERIFIED_FILE

from .conftest import BUYER_KEY

PG_DUMP = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"


def store_bytes(env) -> bytes:
    url = make_url(env.store.url)
    if url.get_backend_name() == "sqlite":
        env.store.dispose()  # close connections, so what they wrote is in the files
        path = Path(url.database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run([str(PG_DUMP), "--no-owner", libpq], capture_output=True, check=True)
    assert b"COPY public.deliveries" in dump.stdout and b"COPY public.buyer_keys" in dump.stdout
    return dump.stdout


def test_the_store_holds_no_plaintext_file_and_no_plaintext_numerai_key(
    env, buy, seller, buyer, buyer_keypair, predictions, slot
):
    env.buyers.register(buyer.address, public_key=buyer_keypair.public_hex(),
                        numerai_key=BUYER_KEY, slot_model=slot)
    orders = [buy(mode) for mode in (FILE, VERIFIED_FILE, STAKE)]
    for order in orders:
        env.flow.submit_file(order, predictions, seller.address)
    env.send_all()
    env.flow.sync()
    assert [r.state for r in env.flow.records()] == ["delivered"] * 3

    secret = BUYER_KEY.secret_key.reveal().encode()
    rows = [line for line in predictions.splitlines()[1:] if line]
    data = store_bytes(env)
    assert secret not in data and BUYER_KEY.public_id.encode() not in data
    assert predictions not in data
    assert not [row for row in rows if row in data], "a prediction row is in the store"
    # The controls: the store does hold the hashes and the stored (encrypted) key's row.
    assert env.flow.records()[0].delivery_hash[2:].encode() in data

    blobs = [p for p in (env.folder / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 2  # the two file-mode ciphertexts; stake mode stores none
    for blob in blobs:
        content = blob.read_bytes()
        assert predictions not in content and not [row for row in rows if row in content]
