"""The simulated Numerai as a whole: the synthetic tournament plus its staking contract.

`tick()` is Numerai's daily job: every round whose resolve time has passed is scored, its results
(one leaf per on-chain position, by the round's own payout rule) go into a Merkle tree whose root
and payouts are posted on chain, and positions still unclaimed `FINALIZE_GRACE` after that are
finalized. The GraphQL layer (`schema.py`) reads everything through this class.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from web3 import Web3

from agent.models import InvalidModelUuid, model_id_from_uuid, model_uuid_from_id
from agent.payouts import PayoutRule, RoundResult, RoundTree
from agent.tournament.simulator import state
from agent.tournament.simulator.config import CLASSIC, SimulatorConfig
from agent.tournament.simulator.onchain import OnChainNumerai, Position
from agent.tournament.simulator.tournament import (
    Account,
    ApiError,
    Round,
    Submission,
    SystemClock,
    Tournament,
    iso,
    nmr_string,
)

log = logging.getLogger(__name__)
WEI = 10**18


@dataclass
class Resolution:
    """A resolved round: its positions' results and, when anyone staked, its tree."""

    round: int
    time: datetime
    rule: PayoutRule
    positions: list[Position]
    scores: dict[str, dict[str, float]]  # on-chain model id → final scores
    tree: RoundTree | None = None
    resolved_at: int = 0  # chain time of the resolving transaction
    finalized: set = field(default_factory=set)
    foreign: bool = False  # found already resolved on chain by someone else: no proofs here

    def result(self, model_id: str):
        if self.tree is None:
            return None
        for r in self.tree.results:
            if r.model_id == model_id:
                return r
        return None


class Simulator:
    """Numerai, offline: a `Tournament` and, optionally, the staking contract it plays."""

    def __init__(
        self,
        config: SimulatorConfig,
        clock: SystemClock | None = None,
        chain: OnChainNumerai | None = None,
        state_file: Path | None = None,
    ):
        """`state_file` (optional) keeps genesis, submissions, bios and resolutions across restarts."""
        genesis = state.genesis_of(state_file, config.seed)
        if genesis is not None and config.genesis is None:
            config = replace(config, genesis=genesis)
        self.config = config
        self.tournament = Tournament(config, clock)
        self.chain = chain
        self.resolutions: dict[int, Resolution] = {}
        self.lock = self.tournament.lock
        self.state_file = state_file
        self._stop = threading.Event()
        # Test hook: (round, on-chain model id) → wei added to the payout `v3StakeClaim` serves
        # (its proof unchanged), to play a Numerai that serves a wrong result.
        self.tampered: dict[tuple[int, str], int] = {}
        self.requests = 0  # GraphQL requests served (counted by the app)
        state.load(self, state_file)
        self.tournament.changed = state_file is not None  # record the genesis at once

    def persist(self) -> None:
        """Save the state file if anything it records changed."""
        with self.lock:
            if self.state_file is not None and self.tournament.changed:
                state.save(self, self.state_file)
                self.tournament.changed = False

    @property
    def clock(self):
        return self.tournament.clock

    # ------------------------------------------------------------------ Numerai's daily job

    def tick(self) -> list[int]:
        """Resolve every round due by now and finalize what is due; returns the rounds resolved."""
        resolved = []
        with self.lock:
            current = self.tournament.current_round(CLASSIC)
            if current is None:
                return resolved
            for number in range(self.config.first_round, current.number + 1):
                if number in self.resolutions:
                    continue
                rnd = self.tournament.round(number, CLASSIC)
                if not self.tournament.is_resolvable(rnd):
                    break
                self.resolve(rnd)
                resolved.append(number)
            if self.chain is not None:
                for res in self.resolutions.values():
                    if res.tree is not None and len(res.finalized) < len(res.tree.results):
                        # After the grace every position is settled: claimed, or finalized here.
                        if self.chain.finalize_due(res.tree, res.resolved_at) is not None:
                            res.finalized.update(r.model_id for r in res.tree.results)
                            self.tournament.changed = True
        self.persist()
        return resolved

    def run_ticks(self, interval: float) -> None:
        """Call `tick` every `interval` seconds until `stop()` (a daemon thread's body)."""
        while not self._stop.wait(interval):
            try:
                self.tick()
            except Exception:
                log.exception("simulator tick failed; retrying in %ss", interval)

    def stop(self) -> None:
        self._stop.set()

    def resolve(self, rnd: Round) -> Resolution:
        """Score the round's positions, build its tree and post it on chain."""
        positions = self.chain.positions(rnd.number) if self.chain else []
        total = Decimal(sum(p.amount for p in positions)) / WEI
        rule = self.tournament.payout_rule(rnd, total)
        scores = {p.model_id: self.position_scores(rnd, p) for p in positions}
        res = Resolution(rnd.number, self.clock.now(), rule, positions, scores)
        onchain = self.chain.round_state(rnd.number) if self.chain else None
        if onchain and int(onchain["root"], 16):
            log.warning(
                "round %s is already resolved on chain by someone else; its proofs are unknown here",
                rnd.number,
            )
            res.foreign = True
        elif positions:
            results = [
                RoundResult(
                    rnd.number, p.staker, p.model_id, *rule.settle(p.amount, scores[p.model_id])
                )
                for p in positions
            ]
            res.tree = RoundTree(rnd.number, results)
            self.chain.resolve(res.tree)
            res.resolved_at = self.chain.round_state(rnd.number)["resolvedAt"]
        self.resolutions[rnd.number] = res
        self.tournament.changed = True
        log.info("round %s resolved (%s position(s))", rnd.number, len(positions))
        return res

    def position_scores(self, rnd: Round, position: Position) -> dict[str, float]:
        """The final scores of the submission a position backs (by its hash, else the model's
        selected submission of the round; a position on an unknown submission scores by hash)."""
        sub = None
        try:
            model_uuid = model_uuid_from_id(position.model_id)
        except InvalidModelUuid:
            model_uuid = None
        if model_uuid:
            sub = self.tournament.submission_by_hash(
                model_uuid, rnd.number, position.submission_hash
            )
            sub = sub or self.tournament.selected_submission(model_uuid, rnd)
        predictions = sub.predictions if sub else None
        return self.tournament.final_scores(rnd, predictions, position.submission_hash)

    # ------------------------------------------------------------------ staking v3

    def _require_chain(self) -> OnChainNumerai:
        if self.chain is None:
            raise ApiError("Staking v3 is not available: this simulator runs without a chain")
        return self.chain

    def stake_auth(
        self, account: Account, submission_id: str, staker: str, max_amount: str
    ) -> dict:
        chain = self._require_chain()
        sub = self.tournament.submissions.get(str(submission_id))
        if sub is None or self.tournament.models[sub.model_id].owner != account.username:
            raise ApiError("Submission not found")
        if sub.tournament != chain.tournament:
            raise ApiError(f"Staking v3 here is for tournament {chain.tournament} only")
        rnd = self.tournament.round(sub.round, sub.tournament)
        if not self.tournament.is_open(rnd):
            raise ApiError(f"Round {rnd.number} is closed for staking")
        if not sub.selected:
            raise ApiError("Only the model's latest submission of the round can be staked on")
        amount = _parse_nmr(max_amount)
        try:
            staker = _checksum(staker)
        except ValueError:
            raise ApiError(f"{staker!r} is not an Ethereum address") from None
        auth = chain.authorize(
            rnd.number,
            staker,
            model_id_from_uuid(sub.model_id),
            sub.hash,
            amount,
            self.config.auth_ttl_seconds,
        )
        return {
            "authorizationSigner": chain.account.address,
            "authorizationDigest": auth.digest,
            "chainId": chain.chain_id,
            "deadline": str(auth.deadline),
            "maxAmount": str(auth.max_amount),
            "modelId": auth.model_id,
            "nmrAddress": chain.nmr.address,
            "nonce": str(auth.nonce),
            "roundId": str(rnd.number),
            "signature": auth.signature,
            "staker": auth.staker,
            "stakingAddress": chain.address,
            "submissionId": sub.id,
            "submissionHash": sub.hash,
            "tournamentId": auth.tournament,
        }

    def stake_config(self) -> dict:
        chain = self._require_chain()
        return {
            "address": chain.address,
            "authorizationSigner": chain.account.address,
            "nmrAddress": chain.nmr.address,
            "owner": chain.account.address,
            "paused": False,
            "pendingOwner": None,
            "serviceWallet": chain.account.address,
        }

    def stake_round(self, round_id: str) -> dict:
        chain = self._require_chain()
        number = _round_number(round_id)
        rnd = self.tournament.round(number, chain.tournament)
        current = self.tournament.current_round(chain.tournament)
        if current is None or number > current.number or number < self.config.first_round:
            raise ApiError(f"Round {round_id} not found")
        positions = chain.positions(number)
        res = self.resolutions.get(number)
        state = chain.round_state(number)
        if res:
            status = "RESOLVED"
        elif self.tournament.is_open(rnd):
            status = "OPEN"
        else:
            status = "SCORING"
        rule = res.rule if res else self.tournament.payout_rule(rnd)
        return {
            "roundId": str(number),
            "tournamentId": chain.tournament,
            "state": status,
            "openTime": _iso(rnd.open_time),
            "closeTime": _iso(rnd.close_time),
            "resolveTime": _iso(rnd.resolve_time),
            "resolved": res is not None,
            "merkleRoot": state["root"],
            "payoutFactor": nmr_string(rule.payout_factor),
            "stakeCap": None,
            "stakeThreshold": None,
            "totalStaked": str(sum(p.amount for p in positions)),
            "totalPayout": str(res.tree.total_payout) if res and res.tree else "0",
            "remainingPayout": str(state["remainingPayout"]),
            "remainingBurn": str(state["remainingBurn"]),
        }

    def stake_claim(self, account: Account, round_id: str, model_id: str, staker: str) -> dict:
        chain = self._require_chain()
        number = _round_number(round_id)
        model = self._model_of(model_id)
        if model.owner != account.username:
            raise ApiError("Model not found")
        res = self.resolutions.get(number)
        if res is None:
            raise ApiError(f"Round {number} is not resolved yet")
        if res.foreign:
            raise ApiError(
                f"Round {number} was resolved by another Numerai; this one has no proofs for it"
            )
        onchain_id = model_id_from_uuid(model.id)
        result = res.result(onchain_id)
        if result is None or result.staker.lower() != str(staker).lower():
            raise ApiError(f"No stake of {staker} on {model.name} in round {number}")
        position = next(p for p in res.positions if p.model_id == onchain_id)
        sub = self.tournament.submission_by_hash(model.id, number, position.submission_hash)
        return {
            "apiModelId": model.id,
            "modelId": onchain_id,
            "roundId": str(number),
            "staker": _checksum(result.staker),
            "submissionId": sub.id if sub else None,
            "tournamentId": chain.tournament,
            "merkleRoot": res.tree.root,
            "payoutAmountWei": str(result.payout + self.tampered.get((number, onchain_id), 0)),
            "burnAmountWei": str(result.burn),
            "proof": res.tree.proof(result.staker, onchain_id),
        }

    def _model_of(self, model_id: str):
        """A model by API id (UUID) or on-chain id (bytes32)."""
        text = str(model_id)
        if text.startswith("0x"):
            try:
                text = model_uuid_from_id(text)
            except (InvalidModelUuid, ValueError):
                raise ApiError("Model not found") from None
        return self.tournament.model(text)

    # ------------------------------------------------------------------ positions and payouts

    def positions_by_round(self) -> dict[int, list[Position]]:
        """Every on-chain position, grouped by round (one log query)."""
        if self.chain is None:
            return {}
        logs = self.chain.staking.events.Staked().get_logs(from_block=0)
        grouped: dict[int, dict[str, Position]] = {}
        for entry in logs:
            a = entry["args"]
            model_id = "0x" + bytes(a["modelId"]).hex()
            rnd = grouped.setdefault(a["round"], {})
            before = rnd.get(model_id)
            rnd[model_id] = Position(
                a["round"],
                a["staker"],
                model_id,
                a["amount"] + (before.amount if before else 0),
                "0x" + bytes(a["submissionHash"]).hex(),
            )
        return {r: list(p.values()) for r, p in grouped.items()}

    def model_positions(self, model_uuid: str) -> dict[int, Position]:
        onchain_id = model_id_from_uuid(model_uuid)
        found = {}
        for number, positions in self.positions_by_round().items():
            for p in positions:
                if p.model_id == onchain_id:
                    found[number] = p
        return found

    def nmr_staked(self, model_uuid: str) -> int:
        """NMR wei the model has at risk in unresolved rounds."""
        return sum(
            p.amount
            for n, p in self.model_positions(model_uuid).items()
            if n not in self.resolutions
        )

    def projected(self, rnd: Round, position: Position, all_positions: list[Position]) -> int:
        """Payout (negative: burn) of a live position if its round resolved on today's scores."""
        model_uuid = model_uuid_from_id(position.model_id)
        sub = self.tournament.submission_by_hash(model_uuid, rnd.number, position.submission_hash)
        latest: dict[str, float] = {name: 0.0 for name, *_ in rnd.scores}
        if sub:
            for entry in self.tournament.daily_scores(sub):
                latest[entry["name"]] = entry["value"]
        total = Decimal(sum(p.amount for p in all_positions)) / WEI
        payout, burn = self.tournament.payout_rule(rnd, total).settle(position.amount, latest)
        return payout - burn

    def settled(self, number: int, model_uuid: str) -> int | None:
        res = self.resolutions.get(number)
        result = res.result(model_id_from_uuid(model_uuid)) if res else None
        return None if result is None else result.payout - result.burn

    def pending_payouts(self, account: Account, tournament: int) -> dict:
        actual, pending = [], []
        by_round = self.positions_by_round()
        for model in account.models:
            if model.tournament != tournament:
                continue
            onchain_id = model_id_from_uuid(model.id)
            for number, positions in sorted(by_round.items()):
                position = next((p for p in positions if p.model_id == onchain_id), None)
                if position is None:
                    continue
                rnd = self.tournament.round(number, tournament)
                settled = self.settled(number, model.id)
                amount = (
                    settled if settled is not None else self.projected(rnd, position, positions)
                )
                nmr = Decimal(amount) / WEI
                entry = {
                    "roundId": rnd.id,
                    "roundNumber": number,
                    "roundResolveTime": _iso(rnd.resolve_time),
                    "modelId": model.id,
                    "modelName": model.name,
                    "modelDisplayName": model.name,
                    "payoutNmr": nmr_string(nmr),
                    "payoutValue": f"{(nmr * self.config.nmr_price).quantize(Decimal('0.01'), ROUND_DOWN):.2f}",
                    "currencySymbol": "$",
                }
                (actual if settled is not None else pending).append(entry)
        return {"actual": actual, "pending": pending}

    def performances(self, model_uuid: str, tournament: int) -> list[dict]:
        t = self.tournament
        positions = self.model_positions(model_uuid) if tournament == CLASSIC else {}
        rounds = {
            s.round for s in t.model_submissions(model_uuid) if s.tournament == tournament
        } | set(positions)
        out = []
        for number in sorted(rounds, reverse=True):
            rnd = t.round(number, tournament)
            sub = t.selected_submission(model_uuid, rnd)
            settled = self.settled(number, model_uuid)
            res = self.resolutions.get(number)
            rule = res.rule if res else t.payout_rule(rnd)
            daily = t.daily_scores(sub) if sub else []
            position = positions.get(number)
            out.append(
                {
                    "atRisk": nmr_string(position.amount if position else 0, wei=True),
                    "payoutMultipliers": [
                        {
                            "id": c["id"],
                            "scoreConfigId": c["scoreConfigId"],
                            "name": c["name"],
                            "version": c["version"],
                            "displayName": c["displayName"],
                            "multiplier": c["defaultMultiplier"],
                        }
                        for c in t.score_configs(rnd)
                    ],
                    "roundPayoutFactor": nmr_string(rule.payout_factor),
                    "roundNumber": number,
                    "roundOpenTime": _iso(rnd.open_time),
                    "roundResolveTime": _iso(rnd.resolve_time),
                    "roundResolved": res is not None,
                    "roundTarget": "target",
                    "submissionScores": [
                        self._round_score(e, settled)
                        for e in daily
                        if e["day"] == max((d["day"] for d in daily), default=0)
                    ],
                    "intraRoundSubmissionScores": [self._round_score(e, settled) for e in daily],
                }
            )
        return out

    @staticmethod
    def _round_score(entry: dict, settled: int | None) -> dict:
        return {
            "date": _iso(entry["date"]),
            "day": entry["day"],
            "displayName": entry["displayName"],
            "payoutPending": None if settled is not None else nmr_string(0),
            "payoutSettled": None if settled is None else nmr_string(settled, wei=True),
            "percentile": entry["percentile"],
            "value": entry["value"],
        }

    def submission_of(self, account: Account, submission_id: str) -> Submission:
        sub = self.tournament.submissions.get(str(submission_id))
        if sub is None or self.tournament.models[sub.model_id].owner != account.username:
            raise ApiError("Submission not found")
        return sub


_iso = iso
_checksum = Web3.to_checksum_address


def _round_number(round_id) -> int:
    try:
        return int(str(round_id))
    except ValueError:
        raise ApiError(f"Round {round_id} not found") from None


def _parse_nmr(value: str) -> int:
    """An NMR amount ("1.5") in wei; numerapi sends `str(amount)`."""
    try:
        amount = Decimal(str(value).replace(",", ""))
    except ArithmeticError:
        raise ApiError(f"maxAmount {value!r} is not an NMR amount") from None
    wei = int((amount * WEI).to_integral_value(rounding=ROUND_DOWN))
    if wei <= 0:
        raise ApiError("maxAmount must be positive")
    return wei
