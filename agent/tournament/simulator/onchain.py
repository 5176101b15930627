"""Numerai's side of the staking contract, played by the simulator: sign stake authorizations,
read positions, post each round's Merkle root and fund its payouts, finalize what stays unclaimed.

Works against `MockTournamentStaking` (ITournamentStaking + `resolveRound`, `finalize`, `roundOf`,
`rootOf`, `isClaimed`) with the simulator's key as the contract's signer and resolver.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3

from agent.errors import NmrxError
from agent.payouts import RoundTree

log = logging.getLogger(__name__)

DOMAIN_NAME, DOMAIN_VERSION = "NumeraiStaking", "3"
AUTH_FIELDS = [
    {"name": "tournament", "type": "uint32"},
    {"name": "round", "type": "uint64"},
    {"name": "staker", "type": "address"},
    {"name": "modelId", "type": "bytes32"},
    {"name": "submissionHash", "type": "bytes32"},
    {"name": "maxAmount", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
# A local MockNMR's faucet tops the resolver up to this when a round's payouts exceed its balance.
FAUCET_AMOUNT = 10**6 * 10**18


class OnChainError(NmrxError, RuntimeError):
    """A transaction of the simulator's Numerai failed."""


@dataclass(frozen=True)
class Position:
    round: int
    staker: str
    model_id: str  # 0x bytes32
    amount: int
    submission_hash: str


@dataclass(frozen=True)
class Authorization:
    tournament: int
    round: int
    staker: str
    model_id: str
    submission_hash: str
    max_amount: int
    nonce: int
    deadline: int
    digest: str
    signature: str


class OnChainNumerai:
    """The signer and resolver of one staking contract."""

    def __init__(self, w3: Web3, account: LocalAccount, staking, nmr, faucet: bool = False):
        self.w3 = w3
        self.account = account
        self.staking = staking
        self.nmr = nmr
        self.faucet = faucet
        self.chain_id = w3.eth.chain_id
        self.tournament = self.staking.functions.tournament().call()
        self.grace = self.staking.functions.FINALIZE_GRACE().call()
        self._next_nonce: dict[str, int] = {}

    @property
    def address(self) -> str:
        return self.staking.address

    # ------------------------------------------------------------------ authorizations

    def authorize(
        self,
        round_: int,
        staker: str,
        model_id: str,
        submission_hash: str,
        max_amount: int,
        ttl: int,
    ):
        """A fresh single-use stake authorization, valid for `ttl` seconds of chain time."""
        staker = Web3.to_checksum_address(staker)
        nonce = self._fresh_nonce(staker)
        deadline = max(self.chain_time(), int(time.time())) + ttl
        message = {
            "tournament": self.tournament,
            "round": round_,
            "staker": staker,
            "modelId": bytes.fromhex(model_id[2:]),
            "submissionHash": bytes.fromhex(submission_hash[2:]),
            "maxAmount": max_amount,
            "nonce": nonce,
            "deadline": deadline,
        }
        typed = encode_typed_data(
            full_message={
                "types": {"EIP712Domain": DOMAIN_FIELDS, "StakeAuthorization": AUTH_FIELDS},
                "primaryType": "StakeAuthorization",
                "domain": self.domain(),
                "message": message,
            }
        )
        signed = Account.sign_message(typed, self.account.key)
        return Authorization(
            self.tournament,
            round_,
            staker,
            model_id,
            submission_hash,
            max_amount,
            nonce,
            deadline,
            "0x" + signed.message_hash.hex().removeprefix("0x"),
            "0x" + signed.signature.hex().removeprefix("0x"),
        )

    def domain(self) -> dict:
        return {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": self.chain_id,
            "verifyingContract": self.staking.address,
        }

    def _fresh_nonce(self, staker: str) -> int:
        nonce = self._next_nonce.get(staker, 1)
        # A restarted simulator must not reissue a nonce the contract has seen.
        while self.staking.functions.nonceUsed(staker, nonce).call():
            nonce += 1
        self._next_nonce[staker] = nonce + 1
        return nonce

    # ------------------------------------------------------------------ reading

    def chain_time(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"]

    def positions(self, round_: int) -> list[Position]:
        """Every position staked into `round_` (one per model), from the contract's Staked events."""
        logs = self.staking.events.Staked().get_logs(
            from_block=0, argument_filters={"round": round_}
        )
        totals: dict[str, Position] = {}
        for entry in logs:
            args = entry["args"]
            model_id = "0x" + bytes(args["modelId"]).hex()
            before = totals.get(model_id)
            amount = args["amount"] + (before.amount if before else 0)
            submission = "0x" + bytes(args["submissionHash"]).hex()
            totals[model_id] = Position(round_, args["staker"], model_id, amount, submission)
        return list(totals.values())

    def round_state(self, round_: int) -> dict:
        root, remaining_payout, remaining_burn, resolved_at = self.staking.functions.roundOf(
            round_
        ).call()
        return {
            "root": "0x" + bytes(root).hex(),
            "remainingPayout": remaining_payout,
            "remainingBurn": remaining_burn,
            "resolvedAt": resolved_at,
        }

    def is_settled(self, round_: int, staker: str, model_id: str) -> bool:
        return self.staking.functions.isClaimed(round_, staker, bytes.fromhex(model_id[2:])).call()

    # ------------------------------------------------------------------ writing

    def resolve(self, tree: RoundTree) -> None:
        """Post `tree`'s root and totals for its round and fund its payouts."""
        total = tree.total_payout
        if total:
            self._ensure_funds(total)
        self._send(
            self.staking.functions.resolveRound(tree.round, tree.root, total, tree.total_burn)
        )
        log.info("round %s resolved on chain: root %s, payout %s wei", tree.round, tree.root, total)

    def finalize_due(self, tree: RoundTree, resolved_at: int) -> int | None:
        """Finalize every position of `tree` still unclaimed past the grace period; returns how
        many (None: the grace is not over yet)."""
        if self.chain_time() < resolved_at + self.grace:
            return None
        done = 0
        proofs = None
        for i, result in enumerate(tree.results):
            if self.is_settled(tree.round, result.staker, result.model_id):
                continue
            proofs = proofs or tree.proofs()
            self._send(
                self.staking.functions.finalize(
                    tree.round,
                    Web3.to_checksum_address(result.staker),
                    bytes.fromhex(result.model_id[2:]),
                    result.payout,
                    result.burn,
                    proofs[i],
                )
            )
            done += 1
        if done:
            log.info("round %s: finalized %s unclaimed position(s)", tree.round, done)
        return done

    def _ensure_funds(self, amount: int) -> None:
        me = self.account.address
        balance = self.nmr.functions.balanceOf(me).call()
        if balance < amount:
            if not self.faucet:
                raise OnChainError(
                    f"the resolver {me} holds {balance} NMR wei; round payouts need {amount}"
                )
            self._send(self.nmr.functions.faucet(me, max(FAUCET_AMOUNT, amount - balance)))
        allowance = self.nmr.functions.allowance(me, self.staking.address).call()
        if allowance < amount:
            # NMR's approve only changes an allowance from or to zero.
            if allowance:
                self._send(self.nmr.functions.approve(self.staking.address, 0))
            self._send(self.nmr.functions.approve(self.staking.address, 2**256 - 1))

    def _send(self, call) -> dict:
        tx = call.build_transaction(
            {
                "from": self.account.address,
                "nonce": self.w3.eth.get_transaction_count(self.account.address, "pending"),
                "chainId": self.chain_id,
            }
        )
        signed = self.account.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
        if receipt["status"] != 1:
            raise OnChainError(f"transaction {tx_hash.hex()} ({call.fn_name}) reverted")
        return receipt
