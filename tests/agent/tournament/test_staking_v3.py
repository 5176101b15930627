"""The full staking-v3 cycle on the real local chain, through numerapi and the PayoutPool:
authorization → stake → resolution → `v3_stake_claim` proof → claim, and finalization of what
stays unclaimed past the grace period, with balances read from the chain."""

from decimal import Decimal

import pytest
from brownie import chain, web3
from eth_account import Account

from agent.chain import connect
from agent.models import model_id_from_uuid
from agent.tournament.simulator.onchain import OnChainNumerai
from tests.agent.tournament.conftest import BOB, DAY, client, predictions_for

NMR = 10**18
CLASSIC = 8


@pytest.fixture(scope="module")
def numerai_key():
    return Account.from_key("0x" + "4e" * 32)


@pytest.fixture(scope="module")
def staking(MockTournamentStaking, nmr, numerai_key, admin):
    admin.transfer(numerai_key.address, 100 * 10**18)
    return MockTournamentStaking.deploy(
        nmr, CLASSIC, numerai_key.address, numerai_key.address, {"from": admin}
    )


@pytest.fixture(scope="module")
def pool(PayoutPool, nmr, registry, staking, admin, operator, treasury):
    return PayoutPool.deploy(nmr, registry, staking, admin, operator, treasury, {"from": admin})


@pytest.fixture
def onchain(staking, nmr, numerai_key):
    w3 = connect(web3.provider.endpoint_uri)
    return OnChainNumerai(
        w3,
        numerai_key,
        w3.eth.contract(address=staking.address, abi=staking.abi),
        w3.eth.contract(address=nmr.address, abi=nmr.abi),
        faucet=True,
    )


@pytest.fixture
def cycle(request, make_simulator, onchain, pool, registry, nmr, attestor, alice, tmp_path):
    """alice's model registered to her, 100 NMR of it staked-able in the pool, and a submission
    (simulator settings from an indirect parameter, if any)."""
    simulator = make_simulator(chain=onchain, **getattr(request, "param", {}))
    api = client()
    model_uuid = api.get_models()["alice_model"]
    model = model_id_from_uuid(model_uuid)
    registry.attest(model, alice, CLASSIC, {"from": attestor})
    nmr.faucet(alice, 100 * NMR, {"from": alice})
    nmr.approve(pool, 100 * NMR, {"from": alice})
    pool.deposit(100 * NMR, {"from": alice})
    pool.increaseStake(model, 100 * NMR, {"from": alice})
    submission = predictions_for(api, tmp_path, model_uuid)
    return simulator, api, model_uuid, model, submission


def stake(api, pool, alice, model, submission, amount="10"):
    auth = api.v3_stake_auth(submission, pool.address, amount=amount)
    values = (
        auth["tournamentId"],
        int(auth["roundId"]),
        auth["staker"],
        auth["modelId"],
        auth["submissionHash"],
        int(auth["maxAmount"]),
        int(auth["nonce"]),
        int(auth["deadline"]),
    )
    pool.stake(model, int(auth["maxAmount"]), values, auth["signature"], {"from": alice})
    return auth


def test_stake_auth_is_signed_for_the_staking_contract(cycle, staking, pool, numerai_key):
    simulator, api, model_uuid, model, submission = cycle
    auth = api.v3_stake_auth(submission, pool.address, amount="10")
    assert auth["authorizationSigner"] == numerai_key.address == staking.signer()
    assert auth["stakingAddress"] == staking.address
    assert (auth["modelId"], auth["maxAmount"], auth["amount"]) == (
        model,
        str(10 * NMR),
        str(10 * NMR),
    )
    assert api.v3_stake_config()["address"] == staking.address


def test_full_cycle_stake_resolve_claim(cycle, staking, pool, nmr, alice):
    simulator, api, model_uuid, model, submission = cycle
    auth = stake(api, pool, alice, model, submission)
    number = int(auth["roundId"])
    assert staking.stakeOf(number, pool, model) == 10 * NMR
    assert client().public_user_profile("alice_model")["nmrStaked"] == Decimal(10)
    assert api.v3_stake_round(number)["totalStaked"] == str(10 * NMR)
    assert [p["roundNumber"] for p in api.pending_model_payouts()["pending"]] == [number]

    simulator.clock.advance(3 * DAY)
    assert simulator.tick() == [number]
    claim = api.v3_stake_claim(number, model_uuid, pool.address)
    assert claim["merkleRoot"] == "0x" + bytes(staking.rootOf(number)).hex()
    payout, burn = int(claim["payoutAmountWei"]), int(claim["burnAmountWei"])
    assert api.v3_stake_round(number)["resolved"] is True

    before = nmr.balanceOf(pool)
    pool.claim(model, number, payout, burn, claim["proof"], {"from": alice})
    assert nmr.balanceOf(pool) == before + 10 * NMR + payout - burn
    assert staking.isClaimed(number, pool, model)
    actual = api.pending_model_payouts()["actual"]
    assert [(a["roundNumber"], a["payoutNmr"]) for a in actual] == [
        (number, Decimal(payout - burn) / NMR)
    ]


@pytest.mark.parametrize("cycle", [{}, {"first_round": 1340}], ids=["abs", "legacy"], indirect=True)
def test_payout_follows_the_rounds_rule(cycle, pool, alice):
    simulator, api, model_uuid, model, submission = cycle
    number = int(stake(api, pool, alice, model, submission)["roundId"])
    simulator.clock.advance(3 * DAY)
    simulator.tick()
    claim = api.v3_stake_claim(number, model_uuid, pool.address)
    t = simulator.tournament
    scores = t.submission_final_scores(t.submissions[submission])
    rnd = t.round(number)
    expected = t.payout_rule(rnd, Decimal(10)).settle(10 * NMR, scores)
    assert rnd.abs == (number >= 1343)
    assert (int(claim["payoutAmountWei"]), int(claim["burnAmountWei"])) == expected


def test_unclaimed_positions_are_finalized_after_the_grace(cycle, staking, pool, nmr, alice):
    simulator, api, model_uuid, model, submission = cycle
    number = int(stake(api, pool, alice, model, submission)["roundId"])
    simulator.clock.advance(3 * DAY)
    simulator.tick()
    claim = api.v3_stake_claim(number, model_uuid, pool.address)
    simulator.tick()
    assert not staking.isClaimed(number, pool, model)  # grace not over

    chain.sleep(staking.FINALIZE_GRACE() + 1)
    chain.mine()
    before = nmr.balanceOf(pool)
    simulator.tick()
    assert staking.isClaimed(number, pool, model)
    settled = 10 * NMR + int(claim["payoutAmountWei"]) - int(claim["burnAmountWei"])
    assert nmr.balanceOf(pool) == before + settled


def test_claims_are_only_served_to_the_models_owner(cycle, pool, alice):
    simulator, api, model_uuid, model, submission = cycle
    number = int(stake(api, pool, alice, model, submission)["roundId"])
    simulator.clock.advance(3 * DAY)
    simulator.tick()
    with pytest.raises(ValueError, match="^Model not found$"):
        client(BOB).v3_stake_claim(number, model_uuid, pool.address)


def test_claim_before_resolution_is_refused(cycle, pool, alice):
    simulator, api, model_uuid, model, submission = cycle
    number = int(stake(api, pool, alice, model, submission)["roundId"])
    with pytest.raises(ValueError, match="not resolved yet"):
        api.v3_stake_claim(number, model_uuid, pool.address)


def test_stake_auth_after_the_round_closed_is_refused(cycle, pool):
    simulator, api, model_uuid, model, submission = cycle
    simulator.clock.advance(DAY)
    with pytest.raises(ValueError, match="closed for staking"):
        api.v3_stake_auth(submission, pool.address, amount="1")


def test_a_restarted_simulator_keeps_its_rounds_and_proofs(
    cycle, staking, pool, onchain, alice, tmp_path
):
    from agent.tournament.simulator import Simulator
    from agent.tournament.simulator.state import save

    simulator, api, model_uuid, model, submission = cycle
    number = int(stake(api, pool, alice, model, submission)["roundId"])
    simulator.clock.advance(3 * DAY)
    simulator.tick()
    state = tmp_path / "state.json"
    save(simulator, state)

    restarted = Simulator(simulator.config, simulator.clock, onchain, state_file=state)
    assert restarted.tournament.genesis == simulator.tournament.genesis
    assert restarted.tick() == []  # round already resolved: nothing posted twice
    alice_account = restarted.tournament.accounts["alice"]
    claim = restarted.stake_claim(alice_account, str(number), model_uuid, pool.address)
    assert claim == simulator.stake_claim(
        simulator.tournament.accounts["alice"], str(number), model_uuid, pool.address
    )
    assert claim["submissionId"] == submission


def test_a_round_resolved_by_someone_else_is_not_posted_again(
    cycle, staking, pool, onchain, alice, numerai_key
):
    from agent.tournament.simulator import Simulator

    simulator, api, model_uuid, model, submission = cycle
    number = int(stake(api, pool, alice, model, submission)["roundId"])
    simulator.clock.advance(3 * DAY)
    simulator.tick()
    amnesiac = Simulator(simulator.config, simulator.clock, onchain)
    assert amnesiac.tick() == [number]
    assert amnesiac.resolutions[number].foreign
    with pytest.raises(ValueError, match="another Numerai"):
        amnesiac.stake_claim(
            amnesiac.tournament.accounts["alice"], str(number), model_uuid, pool.address
        )


def test_served_claims_verify_against_the_posted_root(cycle, staking, pool, alice):
    from agent.payouts import RoundResult, verify_claim

    simulator, api, model_uuid, model, submission = cycle
    number = int(stake(api, pool, alice, model, submission)["roundId"])
    simulator.clock.advance(3 * DAY)
    simulator.tick()
    claim = api.v3_stake_claim(number, model_uuid, pool.address)
    root = "0x" + bytes(staking.rootOf(number)).hex()
    payout, burn = int(claim["payoutAmountWei"]), int(claim["burnAmountWei"])
    assert verify_claim(
        RoundResult(number, pool.address, model, payout, burn), claim["proof"], root
    )
    assert not verify_claim(
        RoundResult(number, pool.address, model, payout + 1, burn), claim["proof"], root
    )
