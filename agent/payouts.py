"""Numerai round payouts and the per-round Merkle trees of staking v3 ("Atomic Blockchain Staking").

One module for both sides of a round result: the simulator (playing Numerai) computes payouts,
builds a round's tree and serves proofs; the agent recomputes them to check the posted root and
cranks claims with the proofs; tests use it to drive `MockTournamentStaking` and `PayoutPool`.

A leaf is OpenZeppelin's "standard" double-hashed leaf of `(round, staker, model_id, payout, burn)`:
``keccak256(keccak256(abi.encode(uint64, address, bytes32, uint256, uint256)))``. Inner nodes hash
the sorted pair of their children (``MerkleProof.verify`` in Solidity), so a proof is just the list
of sibling hashes from the leaf up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from agent.errors import NmrxError

NMR = 10**18
LEAF_TYPES = ["uint64", "address", "bytes32", "uint256", "uint256"]


class PayoutError(NmrxError, ValueError):
    """A round result that cannot be put in a tree (duplicate leaf, unknown staker/model, ...)."""


def _bytes32(value: str | bytes) -> bytes:
    raw = bytes.fromhex(value[2:] if value.startswith("0x") else value) if isinstance(value, str) else bytes(value)
    if len(raw) != 32:
        raise PayoutError(f"{value!r} is not 32 bytes; pass a model id from agent.models.model_id_from_uuid")
    return raw


@dataclass(frozen=True)
class RoundResult:
    """One staker's result on one model in one round, as Numerai's contract pays it."""

    round: int
    staker: str
    model_id: str
    payout: int
    burn: int

    def leaf(self) -> bytes:
        """The double-hashed leaf the tournament contract verifies."""
        inner = encode(
            LEAF_TYPES,
            [self.round, to_checksum_address(self.staker), _bytes32(self.model_id), self.payout, self.burn],
        )
        return keccak(keccak(inner))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Parent of two nodes: keccak of the pair in ascending byte order (OpenZeppelin's `_hashPair`)."""
    return keccak(a + b) if a < b else keccak(b + a)


class MerkleTree:
    """A sorted-pair Merkle tree over leaf hashes; an odd node at the end of a layer moves up as is."""

    def __init__(self, leaves: list[bytes]):
        if not leaves:
            raise PayoutError("a round tree needs at least one leaf")
        self.layers: list[list[bytes]] = [list(leaves)]
        while len(self.layers[-1]) > 1:
            below = self.layers[-1]
            above = [hash_pair(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            if len(below) % 2:
                above.append(below[-1])
            self.layers.append(above)

    @property
    def root(self) -> bytes:
        return self.layers[-1][0]

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes from leaf `index` up to the root."""
        path = []
        for layer in self.layers[:-1]:
            sibling = index ^ 1
            if sibling < len(layer):
                path.append(layer[sibling])
            index //= 2
        return path


def verify(proof: list[bytes], root: bytes, leaf: bytes) -> bool:
    """Whether `proof` leads from `leaf` to `root` (what the contract checks)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root


class RoundTree:
    """All results of one round: the root and totals to post, and each leaf's proof."""

    def __init__(self, round_number: int, results: list[RoundResult]):
        keys = [(to_checksum_address(r.staker), _bytes32(r.model_id)) for r in results]
        if len(set(keys)) != len(keys):
            raise PayoutError(f"round {round_number} has two results for one (staker, model)")
        if any(r.round != round_number for r in results):
            raise PayoutError(f"every result in round {round_number}'s tree must be for that round")
        self.round = round_number
        self.results = list(results)
        self._index = {key: i for i, key in enumerate(keys)}
        self.tree = MerkleTree([r.leaf() for r in results])

    @property
    def root(self) -> str:
        return "0x" + self.tree.root.hex()

    @property
    def total_payout(self) -> int:
        return sum(r.payout for r in self.results)

    @property
    def total_burn(self) -> int:
        return sum(r.burn for r in self.results)

    def result(self, staker: str, model_id: str) -> RoundResult:
        return self.results[self._lookup(staker, model_id)]

    def proof(self, staker: str, model_id: str) -> list[str]:
        """The 0x-hex proof of `staker`'s result on `model_id`."""
        return ["0x" + h.hex() for h in self.tree.proof(self._lookup(staker, model_id))]

    def _lookup(self, staker: str, model_id: str) -> int:
        try:
            return self._index[(to_checksum_address(str(staker)), _bytes32(model_id))]
        except KeyError:
            raise PayoutError(f"no result for staker {staker} on model {model_id} in round {self.round}") from None


def round_payout(
    stake: int,
    corr: float | Decimal,
    mmc: float | Decimal,
    corr_multiplier: float | Decimal = Decimal("0.5"),
    mmc_multiplier: float | Decimal = Decimal("2"),
    payout_factor: float | Decimal = Decimal("1"),
    clip: float | Decimal = Decimal("0.05"),
) -> tuple[int, int]:
    """Numerai's per-round result of `stake` (NMR wei) as `(payout, burn)` in NMR wei.

    ``stake * clip(payout_factor * (corr_multiplier * corr + mmc_multiplier * mmc), -clip, +clip)``,
    rounded toward zero; a positive result is a payout, a negative one a burn (never both).
    """
    score = Decimal(str(payout_factor)) * (
        Decimal(str(corr_multiplier)) * Decimal(str(corr)) + Decimal(str(mmc_multiplier)) * Decimal(str(mmc))
    )
    bound = Decimal(str(clip))
    score = max(-bound, min(bound, score))
    amount = int((Decimal(stake) * abs(score)).to_integral_value(rounding=ROUND_DOWN))
    return (amount, 0) if score >= 0 else (0, amount)
