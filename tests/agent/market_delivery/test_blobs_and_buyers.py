"""The blob store and buyers' registrations, on a real store (no chain needed)."""

import pytest
from eth_utils import keccak

from agent.market.blobs import BlobError, BlobStore, address_of
from agent.market.buyers import BuyerKeys, BuyerSettingsError
from agent.market.sealing import InvalidBuyerKey, generate_buyer_keypair
from agent.store import Store
from agent.vault import NumeraiKey, Vault

from .conftest import BUYER_KEY

BUYER = "0x844ec86426f076647a5362706a04570a5965473b"
SLOT = "df564b35-7add-55b2-9f1d-aecfc4f45db7"


@pytest.fixture(autouse=True)
def isolation():
    """No chain to rewind here."""


def test_blobs_are_addressed_by_keccak_written_once_and_checked_on_read(tmp_path):
    blobs = BlobStore.under(tmp_path)
    address = blobs.put(b"sealed bytes")
    assert address == "keccak256:0x" + keccak(b"sealed bytes").hex() == address_of(b"sealed bytes")
    assert blobs.put(b"sealed bytes") == address and blobs.get(address) == b"sealed bytes"
    assert [p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [address[12:]]
    blobs.path(address).write_bytes(b"tampered")
    with pytest.raises(BlobError, match="corrupt"):
        blobs.get(address)
    with pytest.raises(BlobError, match="is not in"):
        blobs.get(address_of(b"never stored"))
    with pytest.raises(BlobError, match="not a blob address"):
        blobs.get("../../etc/passwd")


def test_buyer_registration_keeps_the_numerai_key_encrypted_and_unrevealed(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'agent.db'}").migrate()
    vault = Vault(bytes(range(32)))
    buyers = BuyerKeys(store, vault)
    pair = generate_buyer_keypair()
    shown = buyers.register(BUYER, public_key=pair.public_base64())
    assert shown.buyer == "0x844ec86426F076647A5362706a04570A5965473B"
    assert shown.public_key == pair.public_hex() and not shown.has_numerai_key
    # A later registration changes only what it gives.
    shown = buyers.register(BUYER, numerai_key=BUYER_KEY, slot_model=SLOT.upper())
    assert shown.public_key == pair.public_hex() and shown.has_numerai_key
    assert shown.slot_model == SLOT
    assert BUYER_KEY.secret_key.reveal() not in repr(shown)
    key, slot = buyers.slot(BUYER)
    assert key == BUYER_KEY and slot == SLOT
    # The blob is the vault's, bound to this buyer: another vault key cannot open it.
    with pytest.raises(Exception, match="does not decrypt"):
        BuyerKeys(store, Vault(bytes(range(1, 33)))).slot(BUYER)
    with pytest.raises(InvalidBuyerKey):
        buyers.register(BUYER, public_key="not a key")
    with pytest.raises(BuyerSettingsError, match="not a Numerai model id"):
        buyers.register(BUYER, slot_model="barry_model")
    with pytest.raises(BuyerSettingsError, match="not an Ethereum address"):
        buyers.register("bob", numerai_key=NumeraiKey("a", "b"))
    with pytest.raises(BuyerSettingsError, match="nothing to register"):
        buyers.register(BUYER)
    store.dispose()
