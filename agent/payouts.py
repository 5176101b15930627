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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

# safe-pysha3 (a brownie dependency) hashes ~4x faster than eth_utils.keccak; a 100,000-leaf tree
# needs 300,000 hashes, so it decides whether a round's tree takes 0.6 s or 3 s.
from sha3 import keccak_256

from agent.errors import NmrxError

NMR = 10**18
LEAF_TYPES = ["uint64", "address", "bytes32", "uint256", "uint256"]


class PayoutError(NmrxError, ValueError):
    """A round result that cannot be put in a tree (duplicate leaf, unknown staker/model, ...)."""


def keccak(data: bytes) -> bytes:
    return keccak_256(data).digest()


def _bytes32(value: str | bytes) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
    if len(raw) != 32:
        raise PayoutError(
            f"{value!r} is not 32 bytes; pass a model id from agent.models.model_id_from_uuid"
        )
    return raw


def _address(value: str) -> bytes:
    raw = bytes.fromhex(str(value).removeprefix("0x"))
    if len(raw) != 20:
        raise PayoutError(f"{value!r} is not an address")
    return raw


_BOUNDS = {64: 2**64, 256: 2**256}


def _uint(value: int, bits: int) -> bytes:
    if not 0 <= value < _BOUNDS[bits]:
        raise PayoutError(f"{value} does not fit a uint{bits}")
    return value.to_bytes(32, "big")


@dataclass(frozen=True)
class RoundResult:
    """One staker's result on one model in one round, as Numerai's contract pays it."""

    round: int
    staker: str
    model_id: str
    payout: int
    burn: int

    def leaf(self) -> bytes:
        """The double-hashed leaf the tournament contract verifies: `abi.encode` of five static
        words (what eth_abi's `encode(LEAF_TYPES, ...)` gives, built by hand for speed)."""
        return _leaf(
            self.round, _address(self.staker), _bytes32(self.model_id), self.payout, self.burn
        )


def _leaf(round_: int, staker: bytes, model: bytes, payout: int, burn: int) -> bytes:
    head = _uint(round_, 64) + b"\0" * 12 + staker + model
    return keccak_256(keccak_256(head + _uint(payout, 256) + _uint(burn, 256)).digest()).digest()


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

    def proofs(self) -> list[list[bytes]]:
        """Every leaf's proof, in leaf order (one pass per layer instead of one walk per leaf)."""
        count = len(self.layers[0])
        paths: list[list[bytes]] = [[] for _ in range(count)]
        for depth, layer in enumerate(self.layers[:-1]):
            size = len(layer)
            for index in range(count):
                sibling = (index >> depth) ^ 1
                if sibling < size:
                    paths[index].append(layer[sibling])
        return paths


def verify(proof: list[bytes], root: bytes, leaf: bytes) -> bool:
    """Whether `proof` leads from `leaf` to `root` (what the contract checks)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root


def verify_claim(result: RoundResult, proof: list[str], root: str) -> bool:
    """Whether a claim as Numerai serves it (`v3_stake_claim`: 0x-hex proof and root) proves
    `result` — the agent's check before it claims, with `result` from its own recomputation."""
    try:
        return verify([_bytes32(h) for h in proof], _bytes32(root), result.leaf())
    except (PayoutError, ValueError):
        return False


class RoundTree:
    """All results of one round: the root and totals to post, and each leaf's proof."""

    def __init__(self, round_number: int, results: list[RoundResult]):
        keys = [(_address(r.staker), _bytes32(r.model_id)) for r in results]
        if len(set(keys)) != len(keys):
            raise PayoutError(f"round {round_number} has two results for one (staker, model)")
        if any(r.round != round_number for r in results):
            raise PayoutError(f"every result in round {round_number}'s tree must be for that round")
        self.round = round_number
        self.results = list(results)
        self._index = {key: i for i, key in enumerate(keys)}
        # The converted (staker, model) keys double as leaf inputs: one conversion per result.
        self.tree = MerkleTree(
            [
                _leaf(r.round, key[0], key[1], r.payout, r.burn)
                for r, key in zip(results, keys, strict=True)
            ]
        )

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

    def proofs(self) -> list[list[bytes]]:
        """Every result's proof (raw hashes), in the order of `results`."""
        return self.tree.proofs()

    def _lookup(self, staker: str, model_id: str) -> int:
        try:
            return self._index[(_address(str(staker)), _bytes32(model_id))]
        except (KeyError, PayoutError, ValueError):
            raise PayoutError(
                f"no result for staker {staker} on model {model_id} in round {self.round}"
            ) from None


# ---------------------------------------------------------------------------- payout formulas

Scores = Mapping[str, "float | Decimal | str"]


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class PayoutRule:
    """How one round turns a model's scores into a result, as the round's score configuration says:
    ``round_return = clip(payout_factor × Σ multiplier[name] × score[name], −clip, +clip)`` and
    ``settlement = stake × round_return``, paid if positive, burned if negative.

    ABS rounds clip at 1 (a burn never exceeds the position) with payout factor 1; legacy rounds
    clip at 0.05 with ``payout_factor = min(1, threshold / total at risk)``.
    """

    multipliers: Mapping[str, Decimal]
    clip: Decimal
    payout_factor: Decimal = Decimal(1)
    names: tuple = field(default=(), compare=False)

    def __post_init__(self):
        object.__setattr__(self, "multipliers", {k: _dec(v) for k, v in self.multipliers.items()})
        object.__setattr__(self, "clip", _dec(self.clip))
        object.__setattr__(self, "payout_factor", _dec(self.payout_factor))
        if self.clip <= 0:
            raise PayoutError(f"a payout clip must be positive, got {self.clip}")

    def round_return(self, scores: Scores) -> Decimal:
        """The clipped fraction of the stake paid (positive) or burned (negative)."""
        missing = [name for name in self.multipliers if name not in scores]
        if missing:
            raise PayoutError(
                f"scores lack {', '.join(missing)} (needed by this round's payout rule)"
            )
        total = sum((m * _dec(scores[name]) for name, m in self.multipliers.items()), Decimal(0))
        return max(-self.clip, min(self.clip, self.payout_factor * total))

    def settle(self, stake: int, scores: Scores) -> tuple[int, int]:
        """`(payout, burn)` in NMR wei of `stake` NMR wei, rounded toward zero (never both)."""
        fraction = self.round_return(scores)
        amount = int((Decimal(stake) * abs(fraction)).to_integral_value(rounding=ROUND_DOWN))
        return (amount, 0) if fraction >= 0 else (0, amount)

    @classmethod
    def from_score_configs(cls, configs: Sequence[Mapping], payout_factor=None) -> PayoutRule:
        """The rule of a round from its `roundScoreConfigs` (as numerapi's `list_rounds` returns
        them, strings or parsed): the payout configs' names and default multipliers, their clip
        threshold and payout factor (or the round's `payout_factor` when given)."""
        paying = [c for c in configs if c.get("isPayout")]
        if not paying:
            raise PayoutError("the round has no payout score configuration (isPayout)")
        clips = {_dec(c["clipThreshold"]) for c in paying}
        if len(clips) != 1:
            raise PayoutError(f"the round's payout configs disagree on the clip: {sorted(clips)}")
        factor = payout_factor if payout_factor is not None else paying[0].get("payoutFactor") or 1
        return cls(
            {c["name"]: _dec(c["defaultMultiplier"]) for c in paying}, clips.pop(), _dec(factor)
        )


# Numerai Classic from round 1343 (ABS): 3 × CORR60 + 15 × MMC60, clipped at ±1, payout factor 1.
CLASSIC_ABS_MULTIPLIERS = {"corr60": Decimal(3), "mmc60": Decimal(15)}
# Legacy rounds from 2024-01-02: 0.5 × CORR + 2 × MMC, clipped at ±5%.
LEGACY_MULTIPLIERS = {"corr": Decimal("0.5"), "mmc": Decimal(2)}
LEGACY_CLIP = Decimal("0.05")
CLASSIC_STAKE_THRESHOLD = Decimal(72_000)
SIGNALS_STAKE_THRESHOLD = Decimal(36_000)


def abs_rule(multipliers: Mapping[str, Decimal | float | str] | None = None) -> PayoutRule:
    """An Atomic Blockchain Staking round's rule (clip 1, payout factor 1)."""
    return PayoutRule(dict(multipliers or CLASSIC_ABS_MULTIPLIERS), Decimal(1), Decimal(1))


def legacy_payout_factor(total_at_risk, threshold=CLASSIC_STAKE_THRESHOLD) -> Decimal:
    """``min(1, threshold / total_at_risk)`` (1 when nothing is at risk)."""
    total = _dec(total_at_risk)
    return Decimal(1) if total <= 0 else min(Decimal(1), _dec(threshold) / total)


def legacy_rule(
    total_at_risk, threshold=CLASSIC_STAKE_THRESHOLD, multipliers: Mapping | None = None
) -> PayoutRule:
    """A legacy (pre-ABS) round's rule: clip 5%, payout factor from the total at risk."""
    return PayoutRule(
        dict(multipliers or LEGACY_MULTIPLIERS),
        LEGACY_CLIP,
        legacy_payout_factor(total_at_risk, threshold),
    )


def round_payout(
    stake: int,
    corr: float | Decimal,
    mmc: float | Decimal,
    corr_multiplier: float | Decimal = Decimal("0.5"),
    mmc_multiplier: float | Decimal = Decimal(2),
    payout_factor: float | Decimal = Decimal(1),
    clip: float | Decimal = Decimal("0.05"),
) -> tuple[int, int]:
    """Numerai's per-round result of `stake` (NMR wei) as `(payout, burn)` in NMR wei, from a CORR
    and an MMC score (legacy defaults; pass the round's multipliers, factor and clip otherwise).

    ``stake * clip(payout_factor * (corr_multiplier * corr + mmc_multiplier * mmc), -clip, +clip)``,
    rounded toward zero; a positive result is a payout, a negative one a burn (never both).
    """
    rule = PayoutRule({"corr": corr_multiplier, "mmc": mmc_multiplier}, clip, payout_factor)
    return rule.settle(stake, {"corr": corr, "mmc": mmc})
