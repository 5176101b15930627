"""Staking and earnings, as the agent runs them against Numerai (or the simulator), on the core's
store, sender and watcher.

Every effect is one job keyed by what it does, so a crash anywhere resumes without doing anything
twice:

- `stake:<chain>:<pool>:<model>:<round>`: each round, every delegated model whose owner's on-chain
  policy asks for a stake (one `balancesOf` read for all of them), with Numerai's authorization
  from `v3_stake_auth` under the owner's delegated key (kept encrypted by `agent.vault`);
- `claims:<chain>:<pool>:<round>:<n>`: when the tournament's `RoundResolved` is in the store, each
  of the pool's positions' claims from `v3_stake_claim`, checked against the on-chain root *and*
  the agent's own recomputation from the round's scores and score configuration; a mismatch becomes
  the failed job `claim:<chain>:<pool>:<model>:<round>` with its reason (and a log event) and is
  never claimed; the rest goes out in `claimBatch` chunks, all planned in one transaction;
- `reconcile:<chain>:<pool>:<model>:<round>`: positions Numerai finalized itself;
- `relay:<chain>:<pool>:<signature hash>`: signed allocations and policies (`relay_allocation`,
  `relay_policy`: validated first);
- `withdrawal-request:<chain>:<pool>:<signature hash>` (queued, never sent by itself) and
  `withdrawals:<chain>:<pool>:<hash of the batch>`: the free-withdrawal batch of each period.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data
from sqlalchemy import select, update
from web3 import Web3

from agent.models import model_uuid_from_id
from agent.payouts import PayoutError, PayoutRule, RoundResult, verify_claim
from agent.sender import call_payload
from agent.store import CONFIRMED, FAILED, PLANNED, Store, jobs
from agent.tournament.client import NumeraiClient, NumeraiError
from agent.vault import NumeraiKey, Vault
from agent.watcher import Source, Watcher

log = logging.getLogger(__name__)

QUEUED = "queued"  # a job row that is a request, waiting for a batch (the sender ignores it)
NMR = 10**18
STAKE_GAS = 450_000
CLAIM_GAS_EACH = 140_000
RELAY_GAS = 400_000
WITHDRAW_GAS_EACH = 90_000
FIXED, COMPOUND = 0, 1


def _event(event: str, level: int = logging.INFO, **fields) -> None:
    log.log(level, "%s %s", event, json.dumps(fields, default=str, sort_keys=True))


def _b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _hex(value) -> str:
    return (
        "0x" + bytes(value).hex() if isinstance(value, (bytes, bytearray)) else str(value).lower()
    )


# -- delegated Numerai keys -------------------------------------------------------------------


@dataclass(frozen=True)
class Delegation:
    model: str  # on-chain id, 0x bytes32
    owner: str
    blob: bytes  # the owner's Numerai key, encrypted by the vault for `owner`

    @property
    def uuid(self) -> str:
        return model_uuid_from_id(self.model)


class Delegations:
    """Models the agent stakes for, each with its owner's delegated Numerai key, encrypted at rest
    (a JSON file of vault blobs when `path` is given). Keys are decrypted only to call numerapi."""

    def __init__(self, vault: Vault, path: Path | None = None):
        self.vault, self.path = vault, path
        self._by_model: dict[str, Delegation] = {}
        if path is not None and Path(path).exists():
            for model, d in json.loads(Path(path).read_text()).items():
                self._by_model[model] = Delegation(model, d["owner"], base64.b64decode(d["blob"]))

    def add(self, model: str, owner: str, key: NumeraiKey) -> Delegation:
        model = _hex(model)
        d = Delegation(
            model, Web3.to_checksum_address(owner), self.vault.encrypt_numerai_key(key, owner)
        )
        self._by_model[model] = d
        self._save()
        return d

    def remove(self, model: str) -> None:
        self._by_model.pop(_hex(model), None)
        self._save()

    def models(self) -> list[Delegation]:
        return sorted(self._by_model.values(), key=lambda d: d.model)

    def get(self, model: str) -> Delegation | None:
        return self._by_model.get(_hex(model))

    def key(self, model: str) -> NumeraiKey:
        d = self._by_model[_hex(model)]
        return self.vault.decrypt_numerai_key(d.blob, d.owner)

    def _save(self) -> None:
        if self.path is None:
            return
        data = {
            m: {"owner": d.owner, "blob": base64.b64encode(d.blob).decode()}
            for m, d in self._by_model.items()
        }
        partial = Path(str(self.path) + ".partial")
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(data))
        partial.replace(self.path)


# -- EIP-712 messages of the pool -------------------------------------------------------------

DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
TYPES = {
    "SetAllocation": {
        "SetAllocation": [
            {"name": "owner", "type": "address"},
            {"name": "model", "type": "bytes32"},
            {"name": "targets", "type": "Target[]"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ],
        "Target": [
            {"name": "kind", "type": "uint8"},
            {"name": "model", "type": "bytes32"},
            {"name": "bps", "type": "uint16"},
        ],
    },
    "SetPolicy": {
        "SetPolicy": [
            {"name": "owner", "type": "address"},
            {"name": "model", "type": "bytes32"},
            {"name": "perRound", "type": "uint256"},
            {"name": "mode", "type": "uint8"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ]
    },
    "Withdrawal": {
        "Withdrawal": [
            {"name": "user", "type": "address"},
            {"name": "amount", "type": "uint256"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ]
    },
}


def pool_typed_data(chain_id: int, pool: str, primary: str, message: dict) -> dict:
    return {
        "types": {"EIP712Domain": DOMAIN_FIELDS, **TYPES[primary]},
        "primaryType": primary,
        "domain": {
            "name": "nmrx PayoutPool",
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": Web3.to_checksum_address(pool),
        },
        "message": message,
    }


def sign_pool_message(key, chain_id: int, pool: str, primary: str, message: dict) -> str:
    """A user's signature over one pool message (wallets, tests and `nmrx simulate`)."""
    signed = Account.sign_message(
        encode_typed_data(full_message=pool_typed_data(chain_id, pool, primary, message)), key
    )
    return "0x" + signed.signature.hex().removeprefix("0x")


def recover_pool_signer(
    chain_id: int, pool: str, primary: str, message: dict, signature: str
) -> str | None:
    try:
        return Account.recover_message(
            encode_typed_data(full_message=pool_typed_data(chain_id, pool, primary, message)),
            signature=signature,
        )
    except (ValueError, TypeError):  # malformed signature: nobody signed it
        return None


class RejectedRequest(ValueError):
    """A signed request the agent will not relay; the message says why."""


# -- the flows --------------------------------------------------------------------------------


@dataclass
class StakingConfig:
    claim_batch_size: int = 40
    withdrawal_batch_size: int = 40
    stake_gas: int = STAKE_GAS


class StakingAgent:
    """The pool's staking flows on one store. `pool` and `staking` are web3.py contracts."""

    def __init__(
        self,
        w3: Web3,
        store: Store,
        pool,
        staking,
        delegations: Delegations,
        numerai_url: str,
        config: StakingConfig | None = None,
    ):
        self.w3, self.store, self.pool, self.staking = w3, store, pool, staking
        self.delegations = delegations
        self.numerai_url = numerai_url
        self.config = config or StakingConfig()
        self.chain_id = w3.eth.chain_id
        self.tag = f"{self.chain_id}:{pool.address}"
        self.source_name = f"staking:{pool.address}"
        self.mismatches = 0

    # -- wiring -------------------------------------------------------------------------------

    def watcher(self, *, confirmations: int = 3, start_block: int = 0, **kw) -> Watcher:
        """The watcher of the pool's and the tournament's events these flows read."""
        source = Source(
            {self.pool.address: self.pool.abi, self.staking.address: self.staking.abi},
            names={"RoundStaked", "RoundResolved", "Finalized", "RoundClaimed", "Reconciled"},
        )
        return Watcher(
            self.w3,
            self.store,
            self.source_name,
            source,
            confirmations=confirmations,
            start_block=start_block,
            **kw,
        )

    def install(
        self,
        core,
        *,
        stake_every: float = 5.0,
        claim_every: float = 2.0,
        withdraw_every: float = 60.0,
        watcher: Watcher | None = None,
    ) -> Watcher:
        """Add the flows to an `AgentCore`'s loop (its own watcher unless one is given)."""
        if watcher is None:
            watcher = self.watcher(confirmations=core.settings.confirmation_depth)
            core.watchers.append(watcher)
            core.life.every(core.settings.poll_interval, watcher.poll, name=f"watch:{watcher.name}")
        core.life.every(stake_every, self.stake_round, name="staking:stake")
        core.life.every(claim_every, self.claim_resolved, name="staking:claim")
        core.life.every(claim_every, self.reconcile_finalized, name="staking:reconcile")
        core.life.every(withdraw_every, self.withdrawal_batch, name="staking:withdrawals")
        return watcher

    def client(self, model: str | None = None) -> NumeraiClient:
        if model is None:
            return NumeraiClient(self.numerai_url)
        key = self.delegations.key(model)
        return NumeraiClient(self.numerai_url, *key.numerapi_args())

    def _existing(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        with self.store.engine.connect() as c:
            rows = c.execute(select(jobs.c.key, jobs.c.state).where(jobs.c.key.in_(keys))).all()
        return {k: s for k, s in rows}

    # -- stakes -------------------------------------------------------------------------------

    def stake_key(self, model: str, round_: int) -> str:
        return f"stake:{self.tag}:{model}:{round_}"

    def stake_round(self) -> int:
        """Plan this round's stakes by the owners' policies; returns how many were planned."""
        delegated = self.delegations.models()
        if not delegated:
            return 0
        public = self.client()
        round_ = public.current_round()
        if round_ is None:
            return 0
        # (numerapi's `check_round_open` compares with this machine's clock; a closed round shows
        # instead as a refused authorization below.)
        keys = [self.stake_key(d.model, round_) for d in delegated]
        done = self._existing(keys)
        todo = [d for d, k in zip(delegated, keys) if k not in done]
        if not todo:
            return 0
        _users, views = self.pool.functions.balancesOf([], [_b32(d.model) for d in todo]).call()
        planned = 0
        for d, view in zip(todo, views):
            owner, idle, _at_risk, per_round, mode, credit = view
            if per_round == 0 or idle == 0 or owner.lower() != d.owner.lower():
                continue
            allowed = per_round + (credit if mode == COMPOUND else 0)
            already = self.pool.functions.stakeOf(_b32(d.model), round_).call()
            amount = min(allowed - already, idle) if allowed > already else 0
            if amount <= 0:
                continue
            try:
                planned += self._plan_stake(d, round_, amount)
            except NumeraiError as exc:
                _event(
                    "stake.skipped", logging.WARNING, model=d.model, round=round_, reason=str(exc)
                )
        return planned

    def _plan_stake(self, d: Delegation, round_: int, amount: int) -> int:
        client = self.client(d.model)
        submission = self._submission(client, d.uuid, round_)
        if submission is None:
            _event("stake.no_submission", model=d.model, round=round_)
            return 0
        auth = client.stake_auth(submission, self.pool.address, Decimal(amount) / NMR)
        if int(auth["roundId"]) != round_ or _hex(auth["modelId"]) != d.model:
            raise NumeraiError(
                f"the authorization is for round {auth['roundId']} / model {auth['modelId']}"
            )
        amount = min(amount, int(auth["maxAmount"]))
        values = (
            int(auth["tournamentId"]),
            int(auth["roundId"]),
            Web3.to_checksum_address(auth["staker"]),
            _b32(auth["modelId"]),
            _b32(auth["submissionHash"]),
            int(auth["maxAmount"]),
            int(auth["nonce"]),
            int(auth["deadline"]),
        )
        fn = self.pool.functions.stake(_b32(d.model), amount, values, _b32(auth["signature"]))
        payload = {
            **call_payload(fn, gas=self.config.stake_gas),
            "model": d.model,
            "round": round_,
            "amount": str(amount),
            "submission": submission,
        }
        job = self.store.plan(self.stake_key(d.model, round_), "stake", payload)
        return int(job.payload.get("submission") == submission and job.state == PLANNED)

    @staticmethod
    def _submission(client: NumeraiClient, model_uuid: str, round_: int) -> str | None:
        """The model's selected submission of `round_` (numerapi's raw query)."""
        query = (
            "query($modelId: String) "
            "{ submissions(modelId: $modelId) { id selected round { number } } }"
        )
        data = client._call(
            "listing submissions",
            client.api.raw_query,
            query,
            {"modelId": model_uuid},
            authorization=True,
        )
        subs = data.get("data", {}).get("submissions") or []
        for s in subs:
            if s.get("selected") and int(s["round"]["number"]) == round_:
                return s["id"]
        return None

    # -- claims -------------------------------------------------------------------------------

    def _events(self, name: str) -> list[dict]:
        return [e for e in self.store.events(self.source_name) if e["name"] == name]

    def positions(self) -> dict[int, dict[str, int]]:
        """round → {model: amount} of the pool's stakes, from the stored RoundStaked events."""
        out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for e in self._events("RoundStaked"):
            if e["address"].lower() == self.pool.address.lower():
                out[int(e["args"]["round"])][_hex(e["args"]["model"])] += int(e["args"]["amount"])
        return out

    def claim_resolved(self) -> int:
        """Plan the claims of every resolved round not yet handled; returns how many positions."""
        resolved = {int(e["args"]["round"]) for e in self._events("RoundResolved")}
        if not resolved:
            return 0
        positions = self.positions()
        cursors = self.store.cursors()
        finalized = {
            (int(e["args"]["round"]), _hex(e["args"]["modelId"]))
            for e in self._events("Finalized")
            if e["args"]["staker"].lower() == self.pool.address.lower()
        }
        total = 0
        for round_ in sorted(resolved):
            marker = f"claims:{self.pool.address[:10]}:{round_}"
            if marker in cursors or not positions.get(round_):
                continue
            todo = {m: a for m, a in positions[round_].items() if (round_, m) not in finalized}
            total += self._claim_round(round_, todo, marker)
        return total

    def _claim_round(self, round_: int, stakes: dict[str, int], marker: str) -> int:
        root = _hex(self.staking.functions.rootOf(round_).call())
        if int(root, 16) == 0:
            return 0
        checker = RoundChecker(self, round_)
        good, bad = [], []
        for model in sorted(stakes):
            if self.delegations.get(model) is None:
                bad.append(
                    (model, "no delegated Numerai key for this model; cannot fetch its claim")
                )
                continue
            try:
                claim = self.client(model).stake_claim(
                    round_, self.delegations.get(model).uuid, self.pool.address
                )
            except NumeraiError as exc:
                bad.append((model, f"Numerai served no claim: {exc}"))
                continue
            problem = checker.check(model, stakes[model], claim, root)
            if problem:
                bad.append((model, problem))
            else:
                good.append(
                    (
                        model,
                        int(claim["payoutAmountWei"]),
                        int(claim["burnAmountWei"]),
                        claim["proof"],
                    )
                )
        size = self.config.claim_batch_size
        specs = []
        for i in range(0, len(good), size):
            chunk = good[i : i + size]
            fn = self.pool.functions.claimBatch(
                [(_b32(m), round_, p, b, [_b32(x) for x in proof]) for m, p, b, proof in chunk]
            )
            payload = {
                **call_payload(fn, gas=60_000 + CLAIM_GAS_EACH * len(chunk)),
                "round": round_,
                "models": [m for m, *_ in chunk],
            }
            specs.append((f"claims:{self.tag}:{round_}:{i // size}", "claim-batch", payload))
        with self.store.begin() as conn:
            self.store.plan_many(specs, conn=conn)
            for model, reason in bad:
                job = self.store.plan(
                    f"claim:{self.tag}:{model}:{round_}",
                    "claim",
                    {"to": self.pool.address, "data": "0x", "model": model, "round": round_},
                    conn=conn,
                )
                conn.execute(
                    update(jobs)
                    .where(jobs.c.id == job.id, jobs.c.state == PLANNED)
                    .values(state=FAILED, reason=reason, updated_at=time.time())
                )
            self.store.set_cursor(marker, round_, conn=conn)
        for model, reason in bad:
            self.mismatches += 1
            _event("claim.mismatch", logging.ERROR, round=round_, model=model, reason=reason)
        _event(
            "claims.planned",
            round=round_,
            positions=len(good),
            batches=len(specs),
            refused=len(bad),
        )
        return len(good)

    # -- reconcile ----------------------------------------------------------------------------

    def reconcile_finalized(self) -> int:
        """Plan a `reconcile` for each of the pool's positions Numerai finalized itself."""
        found = [
            e
            for e in self._events("Finalized")
            if e["args"]["staker"].lower() == self.pool.address.lower()
        ]
        if not found:
            return 0
        keys = {
            f"reconcile:{self.tag}:{_hex(e['args']['modelId'])}:{int(e['args']['round'])}": e
            for e in found
        }
        done = self._existing(list(keys))
        planned = 0
        roots: dict[int, str] = {}
        for key, e in keys.items():
            if key in done:
                continue
            round_, model = int(e["args"]["round"]), _hex(e["args"]["modelId"])
            if self.pool.functions.stakeOf(_b32(model), round_).call() == 0:
                continue  # booked already (claimed before Numerai finalized, or reconciled)
            payout, burn = int(e["args"]["payout"]), int(e["args"]["burn"])
            d = self.delegations.get(model)
            if d is None:
                continue
            try:
                claim = self.client(model).stake_claim(round_, d.uuid, self.pool.address)
            except NumeraiError as exc:
                _event(
                    "reconcile.no_proof",
                    logging.WARNING,
                    model=model,
                    round=round_,
                    reason=str(exc),
                )
                continue
            root = roots.setdefault(round_, _hex(self.staking.functions.rootOf(round_).call()))
            result = RoundResult(round_, self.pool.address, model, payout, burn)
            if not verify_claim(result, claim["proof"], root):
                _event("reconcile.mismatch", logging.ERROR, model=model, round=round_)
                continue
            fn = self.pool.functions.reconcile(
                _b32(model), round_, payout, burn, [_b32(x) for x in claim["proof"]]
            )
            self.store.plan(
                key,
                "reconcile",
                {**call_payload(fn, gas=250_000), "model": model, "round": round_},
                origin_event_id=e["id"],
            )
            planned += 1
        return planned

    # -- relays -------------------------------------------------------------------------------

    def _relay_key(self, signature: str) -> str:
        return f"relay:{self.tag}:{Web3.keccak(hexstr=signature).hex().removeprefix('0x')}"

    def _check_signed(
        self,
        primary: str,
        owner: str,
        message: dict,
        signature: str,
        deadline: int,
        nonce_field: str = "nonce",
    ) -> None:
        if deadline <= self.w3.eth.get_block("latest")["timestamp"]:
            raise RejectedRequest(f"the signature expired at {deadline}")
        signer = recover_pool_signer(self.chain_id, self.pool.address, primary, message, signature)
        if signer is None or signer.lower() != owner.lower():
            raise RejectedRequest(f"the signature is not {owner}'s over this {primary}")

    def relay_allocation(
        self,
        model: str,
        owner: str,
        targets: list[tuple[int, str, int]],
        deadline: int,
        signature: str,
    ):
        """Validate a signed allocation and plan its relay; returns the job."""
        owner = Web3.to_checksum_address(owner)
        (user,), (view,) = self.pool.functions.balancesOf([owner], [_b32(model)]).call()
        if view[0].lower() != owner.lower() and view[0] != "0x" + "00" * 20:
            raise RejectedRequest(f"model {model} is bound to {view[0]}, not {owner}")
        if not 1 <= len(targets) <= 8 or sum(t[2] for t in targets) != 10_000:
            raise RejectedRequest("an allocation needs 1 to 8 targets whose bps sum to 10,000")
        message = {
            "owner": owner,
            "model": _b32(model),
            "targets": [{"kind": k, "model": _b32(m), "bps": b} for k, m, b in targets],
            "nonce": user[3],
            "deadline": deadline,
        }
        self._check_signed("SetAllocation", owner, message, signature, deadline)
        fn = self.pool.functions.setAllocationBySig(
            _b32(model), owner, [(k, _b32(m), b) for k, m, b in targets], deadline, _b32(signature)
        )
        return self.store.plan(
            self._relay_key(signature),
            "relay-allocation",
            {**call_payload(fn, gas=RELAY_GAS), "model": _hex(model), "owner": owner},
        )

    def relay_policy(
        self, model: str, owner: str, per_round: int, mode: int, deadline: int, signature: str
    ):
        """Validate a signed policy and plan its relay; returns the job."""
        owner = Web3.to_checksum_address(owner)
        (user,), (view,) = self.pool.functions.balancesOf([owner], [_b32(model)]).call()
        if view[0].lower() != owner.lower() and view[0] != "0x" + "00" * 20:
            raise RejectedRequest(f"model {model} is bound to {view[0]}, not {owner}")
        if mode not in (FIXED, COMPOUND) or not 0 <= per_round < 2**96:
            raise RejectedRequest(
                "a policy needs mode 0 (Fixed) or 1 (Compound) and a per-round amount below 2**96"
            )
        message = {
            "owner": owner,
            "model": _b32(model),
            "perRound": per_round,
            "mode": mode,
            "nonce": user[3],
            "deadline": deadline,
        }
        self._check_signed("SetPolicy", owner, message, signature, deadline)
        fn = self.pool.functions.setPolicyBySig(
            _b32(model), owner, per_round, mode, deadline, _b32(signature)
        )
        return self.store.plan(
            self._relay_key(signature),
            "relay-policy",
            {**call_payload(fn, gas=RELAY_GAS), "model": _hex(model), "owner": owner},
        )

    # -- free withdrawals ---------------------------------------------------------------------

    def request_free_withdrawal(self, user: str, amount: int, deadline: int, signature: str):
        """Validate a signed free-withdrawal request and queue it for the next batch."""
        user = Web3.to_checksum_address(user)
        (view,), _ = self.pool.functions.balancesOf([user], []).call()
        liquid, _last, withdrawal_nonce, _nonce = view
        if amount <= 0 or amount > liquid:
            raise RejectedRequest(f"{user} has {liquid} wei liquid; cannot withdraw {amount}")
        message = {"user": user, "amount": amount, "nonce": withdrawal_nonce, "deadline": deadline}
        self._check_signed("Withdrawal", user, message, signature, deadline)
        digest = Web3.keccak(hexstr=signature).hex().removeprefix("0x")
        key = f"withdrawal-request:{self.tag}:{digest}"
        payload = {
            "to": self.pool.address,
            "data": "0x",
            "user": user,
            "amount": str(amount),
            "deadline": deadline,
            "signature": signature,
        }
        with self.store.begin() as conn:
            job = self.store.plan(key, "withdrawal-request", payload, conn=conn)
            conn.execute(
                update(jobs)
                .where(jobs.c.id == job.id, jobs.c.state == PLANNED)
                .values(state=QUEUED, updated_at=time.time())
            )
        return self.store.job(key)

    def withdrawal_batch(self) -> int:
        """Put every queued request into `executeFreeWithdrawals` batches (requests and batch in one
        transaction, so each request is in exactly one batch); returns how many requests."""
        with self.store.begin() as conn:
            rows = conn.execute(
                select(jobs)
                .where(
                    jobs.c.kind == "withdrawal-request",
                    jobs.c.state == QUEUED,
                    jobs.c.key.like(f"withdrawal-request:{self.tag}:%"),
                )
                .order_by(jobs.c.id)
            ).all()
            if not rows:
                return 0
            size = self.config.withdrawal_batch_size
            for i in range(0, len(rows), size):
                chunk = rows[i : i + size]
                requests = [
                    (
                        Web3.to_checksum_address(r.payload["user"]),
                        int(r.payload["amount"]),
                        int(r.payload["deadline"]),
                        _b32(r.payload["signature"]),
                    )
                    for r in chunk
                ]
                fn = self.pool.functions.executeFreeWithdrawals(requests)
                digest = (
                    Web3.keccak(text=",".join(r.key for r in chunk)).hex().removeprefix("0x")[:32]
                )
                key = f"withdrawals:{self.tag}:{digest}"
                self.store.plan(
                    key,
                    "withdrawal-batch",
                    {
                        **call_payload(fn, gas=60_000 + WITHDRAW_GAS_EACH * len(chunk)),
                        "requests": [r.key for r in chunk],
                    },
                    conn=conn,
                )
                conn.execute(
                    update(jobs)
                    .where(jobs.c.id.in_([r.id for r in chunk]), jobs.c.state == QUEUED)
                    .values(state=CONFIRMED, reason=f"in {key}", updated_at=time.time())
                )
        _event("withdrawals.planned", requests=len(rows))
        return len(rows)


class RoundChecker:
    """The agent's own view of one resolved round: its payout rule from the round's score
    configuration (numerapi `list_rounds`) and payout factor (`v3_stake_round`), and each model's
    final scores (`submission_scores`), to recompute every claim before it is sent."""

    def __init__(self, agent: StakingAgent, round_: int):
        self.agent, self.round = agent, round_
        self._rule: PayoutRule | None = None
        self._names: dict[str, str] = {}

    def rule(self, client: NumeraiClient) -> PayoutRule:
        if self._rule is None:
            rounds = client.rounds(number=self.round)
            configs = rounds[0]["roundScoreConfigs"] if rounds else []
            factor = None
            try:
                factor = Decimal(str(client.stake_round(self.round)["payoutFactor"]))
            except (NumeraiError, KeyError, TypeError):
                factor = None
            self._rule = PayoutRule.from_score_configs(configs, factor)
            self._names = {c["displayName"]: c["name"] for c in configs}
            self._names.update({c["name"]: c["name"] for c in configs})
        return self._rule

    def check(self, model: str, stake: int, claim: dict, root: str) -> str | None:
        """None when the claim is right; else why not."""
        try:
            payout, burn = int(claim["payoutAmountWei"]), int(claim["burnAmountWei"])
            proof = list(claim["proof"])
        except (KeyError, TypeError, ValueError):
            return "the claim Numerai served is malformed"
        result = RoundResult(self.round, self.agent.pool.address, model, payout, burn)
        if not verify_claim(result, proof, root):
            return (
                f"proof does not verify against the on-chain root {root} "
                f"(payout {payout}, burn {burn})"
            )
        client = self.agent.client(model)
        try:
            rule = self.rule(client)
            job = self.agent.store.job(self.agent.stake_key(model, self.round))
            submission = job.payload.get("submission") if job else None
            scores = {}
            for s in client.scores(model_uuid_from_id(model)):
                if int(s["roundNumber"]) != self.round or not s.get("resolved"):
                    continue
                if submission and s.get("submissionId") != submission:
                    continue
                scores[self._names.get(s["displayName"], s["displayName"])] = s["value"]
            expected = rule.settle(stake, scores)
        except (NumeraiError, PayoutError) as exc:
            return f"cannot recompute the result: {exc}"
        if expected != (payout, burn):
            return (
                f"Numerai's result (payout {payout}, burn {burn}) "
                f"differs from the recomputed {expected}"
            )
        return None
