"""One user action's view of the chain: the user's account, the deployed contracts, and sending
a transaction so that a revert is caught before anything is signed (gas estimation), decoded to
the contract's custom error, and reported as one line."""

import json
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception

from agent.chain import ChainError, ContractBook, Deployments, connect
from agent.cli_user.amounts import fmt_nmr
from agent.cli_user.errors import UserError, revert_error
from agent.cli_user.output import Progress
from agent.config import Settings
from agent.errors import NmrxError

RECEIPT_TIMEOUT = 120
# Headroom over the node's estimate: state can move a little between estimate and inclusion.
GAS_MARGIN = 1.25


@dataclass
class Sent:
    what: str
    tx_hash: str
    block: int
    gas_used: int
    receipt: dict


class Session:
    """The chain, the contracts and the user's key for one command."""

    def __init__(self, settings: Settings, account: LocalAccount | None,
                 rpc_url: str | None = None):
        self.settings = settings
        self.account = account
        url = rpc_url or settings.chain_url
        try:
            self.w3 = connect(url, timeout=settings.rpc_timeout)
            self.chain_id = self.w3.eth.chain_id
        except (ChainError, Web3Exception, OSError, ValueError):
            raise UserError(
                f"no Ethereum node answers at {url}; start the stack (`make run`) or set "
                "NMRX_RPC_URL / --rpc-url"
            ) from None
        try:
            self.deployments = Deployments.load(settings.deployments_dir, self.chain_id)
        except NmrxError as exc:
            raise UserError(f"{exc}; set NMRX_DEPLOYMENTS_DIR to the stack's deployments") from None
        self.book = ContractBook(self.w3, self.deployments, settings.build_dir)
        self._contracts: dict[str, object] = {}
        self._decoder = None

    @property
    def address(self) -> str:
        return self.account.address

    def contract(self, name: str):
        if name not in self._contracts:
            try:
                self._contracts[name] = self.book.contract(name)
            except NmrxError as exc:
                raise UserError(str(exc)) from None
        return self._contracts[name]

    @property
    def nmr(self):
        return self.contract("NMR")

    @property
    def pool(self):
        return self.contract("PayoutPool")

    @property
    def market(self):
        return self.contract("Marketplace")

    @property
    def registry(self):
        return self.contract("ModelRegistry")

    @property
    def decoder(self):
        # Imported on a revert only: the sender module pulls in the store (SQLAlchemy, Alembic),
        # a second of start-up every command would pay for nothing.
        from agent.sender import RevertDecoder

        if self._decoder is None:
            self._decoder = RevertDecoder.from_build_dir(self.settings.build_dir)
        return self._decoder

    def deployed_block(self, name: str) -> int:
        """The block `name` was deployed in (from the deployments book), for log scans."""
        path = Path(self.settings.deployments_dir) / f"{self.chain_id}.json"
        entry = json.loads(path.read_text())["contracts"].get(name, {})
        return int(entry.get("block") or 0)

    def now(self) -> int:
        """The chain's time (the latest block's), which is what the contracts compare with."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    # -- sending ---------------------------------------------------------------------------------

    def send(self, fn, what: str, progress: Progress | None = None) -> Sent:
        """Estimate (a revert stops here, nothing signed), sign with the user's key, send, wait."""
        sender = self.address
        try:
            gas = fn.estimate_gas({"from": sender})
        except ContractLogicError as exc:
            raise revert_error(what, self.decoder.from_exception(exc)) from None
        except Web3Exception as exc:
            decoded = self.decoder.from_exception(exc)
            raise revert_error(what, decoded) from None
        # web3 fills the EIP-1559 fees (twice the base fee plus the node's tip).
        tx = fn.build_transaction({
            "from": sender,
            "nonce": self.w3.eth.get_transaction_count(sender, "pending"),
            "gas": int(gas * GAS_MARGIN),
            "chainId": self.chain_id,
        })
        eth = self.w3.eth.get_balance(sender)
        if eth < tx["gas"] * tx.get("maxFeePerGas", tx.get("gasPrice", 0)):
            raise UserError(
                f"wallet {sender} has {Web3.from_wei(eth, 'ether')} ETH, too little gas for "
                f"{what}; send it some ETH first"
            )
        signed = self.account.sign_transaction(tx)
        if progress:
            progress.note(f"{what}: waiting for the receipt")
        try:
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3Exception as exc:  # e.g. a nonce taken by a transaction sent meanwhile
            raise UserError(f"the node refused {what} ({exc}); nothing was sent, try again") \
                from None
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
        except TimeExhausted:
            raise UserError(
                f"{what} was sent as 0x{bytes(tx_hash).hex()} but is not mined after "
                f"{RECEIPT_TIMEOUT}s; check it later before sending again"
            ) from None
        if receipt["status"] != 1:
            raise UserError(
                f"{what} reverted in block {receipt['blockNumber']} "
                f"(tx 0x{bytes(tx_hash).hex()}); check `nmrx balance` and try again"
            )
        if progress:
            progress.step(what)
        return Sent(what, "0x" + bytes(tx_hash).hex(), receipt["blockNumber"],
                    receipt["gasUsed"], receipt)

    # -- NMR -------------------------------------------------------------------------------------

    def nmr_balance(self) -> int:
        return self.nmr.functions.balanceOf(self.address).call()

    def require_wallet_nmr(self, needed: int, purpose: str) -> None:
        have = self.nmr_balance()
        if have < needed:
            raise UserError(
                f"not enough NMR: {purpose} needs {fmt_nmr(needed)} but wallet {self.address} "
                f"holds {fmt_nmr(have)}; get {fmt_nmr(needed - have)} more NMR or use less"
            )

    def approve_steps(self, spender: str, amount: int) -> int:
        """How many approve transactions `approve` will send (0, 1 or 2)."""
        allowance = self.nmr.functions.allowance(self.address, spender).call()
        if allowance >= amount:
            return 0
        return 2 if allowance else 1

    def approve(self, spender: str, amount: int, progress: Progress | None = None) -> list[Sent]:
        """Allow `spender` exactly `amount` NMR. NMR's approve only moves an allowance from or to
        zero (its anti front-running rule), so a different non-zero allowance is zeroed first."""
        allowance = self.nmr.functions.allowance(self.address, spender).call()
        if allowance >= amount:
            return []
        sent = []
        if allowance:
            sent.append(self.send(self.nmr.functions.approve(spender, 0), "reset NMR allowance",
                                  progress))
        sent.append(self.send(self.nmr.functions.approve(spender, amount),
                              f"approve {fmt_nmr(amount)}", progress))
        return sent
