"""Signing and round helpers shared by the pool's unit, stateful and gas scripts.

Imported (not hashed) by brownie test modules, so it may import from eth_account freely.
"""

import hashlib

from eth_account import Account
from eth_account.messages import encode_typed_data

from agent.payouts import RoundResult, RoundTree
# The EIP-712 types the agent and the simulator sign with: signing with them here checks that the
# agent's statement of each type matches the contracts' typehashes.
from agent.staking import TYPES as POOL_TYPES
from agent.tournament.simulator.onchain import AUTH_FIELDS

NMR = 10**18
TOURNAMENT = 8
SUBMISSION = "0x" + "ab" * 32
KIND_MODEL, KIND_WALLET, KIND_POOL = 0, 1, 2
FAR = 2**40  # a deadline far in the future


_KEYS: dict[str, bytes] = {}


def private_key(account) -> bytes:
    """The key of a test-chain account: brownie's ganache derives its 10 accounts from the mnemonic
    "brownie" (network-config `mnemonic: brownie`); local accounts carry theirs."""
    if getattr(account, "private_key", None):
        return account.private_key
    if not _KEYS:
        # "brownie" is not a valid BIP-39 phrase, so derive the BIP-39 seed the way ganache does.
        from eth_account.hdaccount import key_from_seed

        seed = hashlib.pbkdf2_hmac("sha512", b"brownie", b"mnemonic", 2048)
        for i in range(10):
            key = key_from_seed(seed, f"m/44'/60'/0'/0/{i}")
            _KEYS[Account.from_key(key).address.lower()] = key
    return _KEYS[str(account).lower()]


def sign_typed(signer, domain: dict, types: dict, primary: str, message: dict) -> str:
    """0x-hex EIP-712 signature of `message` (typed `primary`) under `domain`."""
    domain_fields = [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ]
    full = {
        "types": {"EIP712Domain": domain_fields, **types},
        "primaryType": primary,
        "domain": domain,
        "message": message,
    }
    signed = Account.sign_message(encode_typed_data(full_message=full), private_key(signer))
    return "0x" + signed.signature.hex().removeprefix("0x")


def chain_id():
    from brownie import chain

    return chain.id


# ------------------------------------------------------------------ tournament (Numerai's side)


def stake_auth(tournament, numerai, staker, model, round_, max_amount, nonce, deadline=FAR, chain=None):
    """A stake authorization tuple and Numerai's signature over it."""
    auth = (TOURNAMENT, round_, str(staker), model, SUBMISSION, max_amount, nonce, deadline)
    types = {"StakeAuthorization": AUTH_FIELDS}
    domain = {
        "name": "NumeraiStaking",
        "version": "3",
        "chainId": chain or chain_id(),
        "verifyingContract": str(tournament.address),
    }
    message = dict(zip([f["name"] for f in types["StakeAuthorization"]], auth))
    message["modelId"] = bytes.fromhex(model[2:])
    message["submissionHash"] = bytes.fromhex(SUBMISSION[2:])
    return auth, sign_typed(numerai, domain, types, "StakeAuthorization", message)


class Numerai:
    """Plays Numerai against MockTournamentStaking: authorizes stakes and posts round roots."""

    def __init__(self, tournament, nmr, account):
        self.tournament, self.nmr, self.account = tournament, nmr, account
        self.nonce = 0

    def fund(self, amount=10**9 * NMR):
        self.nmr.faucet(self.account, amount, {"from": self.account})
        self.nmr.approve(self.tournament, 2**256 - 1, {"from": self.account})

    def authorize(self, staker, model, round_, max_amount):
        self.nonce += 1
        return stake_auth(self.tournament, self.account, staker, model, round_, max_amount, self.nonce)

    def resolve(self, round_, results):
        """Posts `results` [(staker, model, payout, burn)] of `round_`; returns the RoundTree."""
        tree = RoundTree(round_, [RoundResult(round_, str(s), m, p, b) for s, m, p, b in results])
        self.tournament.resolveRound(round_, tree.root, tree.total_payout, tree.total_burn, {"from": self.account})
        return tree


def pool_stake(pool, numerai, model, round_, amount, caller):
    """Stakes `amount` of `model`'s idle stake into `round_` with a fresh authorization."""
    auth, sig = numerai.authorize(pool, model, round_, amount)
    return pool.stake(model, amount, auth, sig, {"from": caller})


def claim(pool, tree, model, caller):
    """Claims the pool's result for `model` in `tree`'s round."""
    result = tree.result(pool.address, model)
    return pool.claim(model, tree.round, result.payout, result.burn, tree.proof(pool.address, model), {"from": caller})


# ------------------------------------------------------------------ pool signatures


def pool_domain(pool, chain=None):
    return {"name": "nmrx PayoutPool", "version": "1", "chainId": chain or chain_id(), "verifyingContract": str(pool.address)}


def allocation_signature(pool, signer, owner, model, targets, nonce, deadline=FAR, chain=None):
    types = POOL_TYPES["SetAllocation"]
    message = {
        "owner": str(owner),
        "model": bytes.fromhex(model[2:]),
        "targets": [{"kind": k, "model": bytes.fromhex(m[2:]), "bps": b} for k, m, b in targets],
        "nonce": nonce,
        "deadline": deadline,
    }
    return sign_typed(signer, pool_domain(pool, chain), types, "SetAllocation", message)


def withdrawal_signature(pool, signer, user, amount, nonce, deadline=FAR, chain=None):
    types = POOL_TYPES["Withdrawal"]
    message = {"user": str(user), "amount": amount, "nonce": nonce, "deadline": deadline}
    return sign_typed(signer, pool_domain(pool, chain), types, "Withdrawal", message)


def withdrawal_request(pool, user, amount, nonce=None, deadline=FAR, signer=None, chain=None):
    """A WithdrawalRequest tuple signed by `signer` (default `user`) with the user's current nonce."""
    if nonce is None:
        nonce = pool.balancesOf([user], [])[0][0][2]
    return (str(user), amount, deadline, withdrawal_signature(pool, signer or user, user, amount, nonce, deadline, chain))


ZERO_MODEL = "0x" + "00" * 32


def model_view(pool, model):
    """The pool's ModelView of `model` (fields by name)."""
    return pool.balancesOf([], [model])[1][0]


def user_view(pool, user):
    """The pool's UserView of `user` (fields by name)."""
    return pool.balancesOf([user], [])[0][0]


def held_by_pool(pool, users, models):
    """What the pool's NMR balance must be (no unreconciled finalized position): liquid + idle + fees."""
    users_v, models_v = pool.balancesOf(users, models)
    return sum(u["liquid"] for u in users_v) + sum(m["idle"] for m in models_v) + pool.accruedFees()


def policy_signature(pool, signer, owner, model, per_round, mode, nonce, deadline=FAR, chain=None):
    types = POOL_TYPES["SetPolicy"]
    message = {
        "owner": str(owner),
        "model": bytes.fromhex(model[2:]),
        "perRound": per_round,
        "mode": mode,
        "nonce": nonce,
        "deadline": deadline,
    }
    return sign_typed(signer, pool_domain(pool, chain), types, "SetPolicy", message)


FIXED, COMPOUND = 0, 1
GRACE = 7 * 86400  # MockTournamentStaking.FINALIZE_GRACE
CHANGE_DELAY = 31 * 86400


def finalize(numerai, tree, pool, model):
    """Numerai finalizes the pool's unclaimed position of `model` in `tree`'s round (after the grace)."""
    from brownie import chain

    resolved_at = numerai.tournament.roundOf(tree.round)[3]
    if chain.time() < resolved_at + GRACE:
        chain.sleep(resolved_at + GRACE - chain.time() + 1)
    r = tree.result(pool.address, model)
    return numerai.tournament.finalize(
        tree.round, pool, model, r.payout, r.burn, tree.proof(pool.address, model), {"from": numerai.account}
    )


def reconcile(pool, tree, model, caller):
    r = tree.result(pool.address, model)
    return pool.reconcile(model, tree.round, r.payout, r.burn, tree.proof(pool.address, model), {"from": caller})


def error_data(contract, name, *args) -> str:
    """0x-hex revert data of `contract`'s custom error `name(args)` (what a batch's skip event carries)."""
    from brownie.convert.normalize import format_input
    from eth_abi import encode
    from eth_utils import keccak

    abi = next(i for i in contract.abi if i["type"] == "error" and i["name"] == name)
    types = [i["type"] for i in abi["inputs"]]
    values = format_input({"name": name, "inputs": abi["inputs"]}, args)
    return "0x" + (keccak(text=f"{name}({','.join(types)})")[:4] + encode(types, values)).hex()


def skip_reason(event) -> str:
    reason = event["reason"]
    return reason if isinstance(reason, str) else "0x" + bytes(reason).hex()
