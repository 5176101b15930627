"""Where each buyer's deliveries go, as the buyer registered it with the agent (table
`buyer_keys`, migration 0004): nothing on-chain carries it.

- FILE modes: the buyer's X25519 public key, which files are sealed to (`agent.market.sealing`).
- Auto-submissions (VERIFIED_FILE and STAKE): the buyer's Numerai API key, with the
  ``upload_submission`` scope (to upload) and ``read_submission_info`` (to confirm the upload
  reached the slot), encrypted by `agent.vault` for that buyer; and the Numerai model (UUID)
  whose slot receives the uploads.

The caller (the API) authenticates the buyer before `register`. `settings` never returns the
Numerai key; only `numerai_key` decrypts it, for the delivery flow to call numerapi.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy import select
from web3 import Web3

from agent.errors import NmrxError
from agent.market.sealing import encode_key, public_key_from_text
from agent.store import Store
from agent.store.schema import buyer_keys
from agent.vault import NumeraiKey, Vault

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class BuyerSettingsError(NmrxError, ValueError):
    """A buyer's registration is missing or malformed."""


@dataclass(frozen=True)
class BuyerSettings:
    """What a buyer registered, safe to show: whether a Numerai key is held, never the key."""

    buyer: str
    public_key: str | None  # X25519, 64 hex digits
    has_numerai_key: bool
    slot_model: str | None  # Numerai model UUID


class BuyerKeys:
    """Buyers' registrations on the core store, Numerai keys sealed by `vault`."""

    def __init__(self, store: Store, vault: Vault):
        self.store, self.vault = store, vault

    def register(
        self,
        buyer: str,
        *,
        public_key: str | bytes | None = None,
        numerai_key: NumeraiKey | None = None,
        slot_model: str | None = None,
    ) -> BuyerSettings:
        """Set (or replace) what is given; what is not given stays as it was."""
        buyer = _buyer(buyer)
        values: dict = {}
        if public_key is not None:
            values["public_key"] = encode_key(public_key_from_text(public_key), "hex")
        if numerai_key is not None:
            values["numerai_key"] = self.vault.encrypt_numerai_key(numerai_key, buyer)
        if slot_model is not None:
            slot = str(slot_model).strip().lower()
            if not _UUID.match(slot):
                raise BuyerSettingsError(
                    f"the slot {slot_model!r} is not a Numerai model id (a UUID); copy it from "
                    "numer.ai → Models, or from numerapi's get_models()"
                )
            values["slot_model"] = slot
        if not values:
            raise BuyerSettingsError(
                "nothing to register: give a public key, a Numerai key or a slot model"
            )
        now = time.time()
        stmt = self.store._insert(buyer_keys).values(
            buyer=buyer, created_at=now, updated_at=now, **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["buyer"],
            set_={**{k: getattr(stmt.excluded, k) for k in values}, "updated_at": now},
        )
        with self.store.begin() as conn:
            conn.execute(stmt)
        return self.settings(buyer)

    def _row(self, buyer: str):
        with self.store.engine.connect() as conn:
            return conn.execute(
                select(buyer_keys).where(buyer_keys.c.buyer == _buyer(buyer))
            ).first()

    def settings(self, buyer: str) -> BuyerSettings | None:
        row = self._row(buyer)
        if row is None:
            return None
        return BuyerSettings(row.buyer, row.public_key, row.numerai_key is not None,
                             row.slot_model)

    def public_key(self, buyer: str) -> str:
        """The buyer's X25519 public key (hex); a clear error when none is registered."""
        row = self._row(buyer)
        if row is None or not row.public_key:
            raise BuyerSettingsError(
                f"buyer {_buyer(buyer)} has registered no delivery public key; the buyer must "
                "register one (nmrx generates the key pair) before a file can be sealed to it"
            )
        return row.public_key

    def slot(self, buyer: str) -> tuple[NumeraiKey, str]:
        """(decrypted Numerai key, slot model UUID) for an auto-submission to the buyer."""
        row = self._row(buyer)
        if row is None or row.numerai_key is None or not row.slot_model:
            raise BuyerSettingsError(
                f"buyer {_buyer(buyer)} has not registered a Numerai upload key and a model slot; "
                "the buyer must register both before the agent can submit to its slot"
            )
        return self.vault.decrypt_numerai_key(bytes(row.numerai_key), row.buyer), row.slot_model


def _buyer(address: str) -> str:
    try:
        return Web3.to_checksum_address(address)
    except (TypeError, ValueError):
        raise BuyerSettingsError(f"{address!r} is not an Ethereum address") from None
