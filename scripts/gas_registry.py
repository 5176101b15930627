"""Gas of the foundation contracts (section `registry` of scripts/bench_gas.py)."""

from scripts.bench_gas import Row

MODEL = "0x" + "00" * 16 + "5c7c3e311b8f4a1e9d1e0b7c6f1d2a01"


def measure(accounts) -> list[Row]:
    from brownie import MockNMR, ModelRegistry

    admin, attestor, alice = accounts[0], accounts[1], accounts[5]
    nmr = MockNMR.deploy({"from": admin})
    registry = ModelRegistry.deploy(admin, attestor, {"from": admin})
    nmr.faucet(alice, 10**21, {"from": alice})
    return [
        Row("MockNMR approve (from zero)", nmr.approve(admin, 1, {"from": alice}).gas_used),
        Row("MockNMR transfer", nmr.transfer(admin, 1, {"from": alice}).gas_used),
        Row("ModelRegistry attest", registry.attest(MODEL, alice, 8, {"from": attestor}).gas_used),
        Row("ModelRegistry release", registry.release(MODEL, {"from": alice}).gas_used),
    ]
