"""The dashboard in a real browser (Debian's chromium, Playwright) against the seeded stack: a
user's payouts grouped by model and by round equal the API's answer and the chain's RoundClaimed
events; open positions; the page fits a phone; a policy change is signed by the wallet in the
page (eth_signTypedData_v4, signed here with the user's key) and applied on chain by the agent.
Screenshots go to reports/screenshots/."""

import json
from collections import defaultdict
from decimal import Decimal

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from agent.staking import COMPOUND, pool_typed_data

from .conftest import NMR

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
# What the page reads from every row of a table: its key and each cell's exact value.
ROWS = """rows => rows.map(r => ({
  key: r.dataset.key ?? null, model: r.dataset.model ?? null, round: r.dataset.round ?? null,
  values: [...r.cells].map(c => c.dataset.value ?? null),
  text: [...r.cells].map(c => c.textContent.trim()),
}))"""


def rows(page, table: str) -> list[dict]:
    return page.eval_on_selector_all(f"{table} tbody tr", ROWS)


def open_dashboard(browser, stack, viewport, wallet=None, address=True):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if wallet is not None:
        wallet(page)
    query = f"?address={stack.user.address}" if address else ""
    page.goto(f"{stack.api}/dashboard/{query}")
    page.wait_for_selector("body[data-ready]")
    return context, page, errors


def api(stack, path: str, **params) -> dict:
    response = httpx.get(stack.api + path, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def claimed(stack) -> list[dict]:
    """alice's RoundClaimed events as the agent's watcher stored them from the chain."""
    s = stack.setup
    mine = {m.lower() for m in stack.models}
    return [
        e["args"]
        for e in s.store.events(s.watcher.name)
        if e["name"] == "RoundClaimed" and e["args"]["model"].lower() in mine
    ]


def nmr(wei: int) -> Decimal:
    return Decimal(wei) / NMR


def shown(page_rows: list[dict]) -> dict[str, list]:
    # Cells: key, stake, payout, burn, value, pending, claims.
    return {r["key"]: r["values"][1:6] for r in page_rows}


def expected(items: list[dict]) -> dict[str, list]:
    fields = ("stake_nmr", "payout_nmr", "burn_nmr", "value", "pending_nmr")
    return {str(i["key"]): [None if i[f] is None else str(i[f]) for f in fields] for i in items}


def test_payouts_by_model_and_by_round_equal_the_api_and_the_chain(stack, browser, screenshots):
    events = claimed(stack)
    assert len(events) >= 6, "the stack should have claimed alice's positions in several rounds"
    by_model, by_round = defaultdict(int), defaultdict(int)
    for e in events:
        by_model[e["model"].lower()] += int(e["payout"])
        by_round[str(e["round"])] += int(e["payout"])

    context, page, errors = open_dashboard(browser, stack, DESKTOP)
    page.wait_for_selector("body[data-payouts='model:NMR']")
    answer = api(stack, f"/v1/users/{stack.user.address}/payouts", group="model")
    page_rows = rows(page, "#payouts-table")
    assert shown(page_rows) == expected(answer["items"])
    claimed_models = {i["model_id"].lower(): Decimal(i["payout_nmr"]) for i in answer["items"]
                      if i["claims"]}
    assert claimed_models == {m: nmr(v) for m, v in by_model.items()}
    bars = page.eval_on_selector_all(
        "#payouts-chart rect[data-key]", "bs => bs.map(b => [b.dataset.key, b.dataset.value])"
    )
    assert dict(bars) == {str(i["key"]): i["payout_nmr"] for i in answer["items"]}
    page.screenshot(path=str(screenshots / "payouts-by-model-1280.png"), full_page=True)

    page.check("input[name=group][value=round]")
    page.wait_for_selector("body[data-payouts='round:NMR']")
    answer = api(stack, f"/v1/users/{stack.user.address}/payouts", group="round")
    assert shown(rows(page, "#payouts-table")) == expected(answer["items"])
    claimed_rounds = {str(i["key"]): Decimal(i["payout_nmr"]) for i in answer["items"]
                      if i["claims"]}
    assert claimed_rounds == {r: nmr(v) for r, v in by_round.items()}
    assert len(claimed_rounds) >= 3
    assert page.text_content("#payouts-key") == "Round"
    # Lists longer than a page are read to the end: the same rounds two at a time.
    paged = page.evaluate(
        "a => allPages(`/v1/users/${a}/payouts`, { group: 'round' }, 2)", stack.user.address
    )
    assert paged["items"] == answer["items"] and len(answer["items"]) > 2
    page.screenshot(path=str(screenshots / "payouts-by-round-1280.png"), full_page=True)

    # In the user's currency: the value column is the API's (each claim at its day's price).
    page.select_option("#currency", "USD")
    page.wait_for_selector("body[data-payouts='round:USD']")
    answer = api(stack, f"/v1/users/{stack.user.address}/payouts", group="round", currency="USD")
    assert shown(rows(page, "#payouts-table")) == expected(answer["items"])
    assert any(i["value"] not in (None, "0") for i in answer["items"])
    assert page.text_content("#value-h") == "Value USD"
    # The per-claim export the page links to: one row per claim, with the day's price.
    csv = httpx.get(stack.api + page.get_attribute("#csv", "href"), timeout=30)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    header, *lines = csv.text.strip().splitlines()
    assert "price_at_time" in header.split(",") and len(lines) == len(events)

    # Open positions: the round staked last, one row per staked model, with its resolve time.
    positions = api(stack, f"/v1/pool/users/{stack.user.address}/positions")["items"]
    assert positions and {p["round"] for p in positions} >= {stack.open_round}
    page_positions = rows(page, "#positions-table")
    assert [(int(r["round"]), r["model"], r["values"][2]) for r in page_positions] == [
        (p["round"], p["model_id"], p["stake_nmr"]) for p in positions
    ]
    assert page.locator("#positions-chart rect.span").count() == len(positions)
    assert errors == [] and page.is_hidden("#error"), page.text_content("#error")
    context.close()


def test_order_book_depth_and_orders_equal_the_api_and_the_chain(stack, browser, screenshots):
    model, round_ = stack.models[0], stack.open_round
    context, page, errors = open_dashboard(browser, stack, DESKTOP)
    page.wait_for_selector("body[data-loaded]")
    page.fill("#book-model", model)
    page.fill("#book-round", str(round_))
    page.click("#book-form button[type=submit]")
    page.wait_for_selector(f"body[data-book='{model}:{round_}']")

    book = api(stack, "/v1/market/book", model=model, round=round_)
    page_book = [(r["text"][0], r["values"][1], int(r["values"][2]), int(r["values"][3]))
                 for r in rows(page, "#book-table")]
    api_book = sorted(
        [("bid", lv["price"], lv["units"], lv["cumulative"]) for lv in book["bids"]],
        key=lambda x: -Decimal(x[1]),
    ) + sorted(
        [("ask", lv["price"], lv["units"], lv["cumulative"]) for lv in book["asks"]],
        key=lambda x: Decimal(x[1]),
    )
    assert page_book == api_book
    # What the chain holds: the ladder less the units bob bought (cheapest first), bob's bids.
    prices, units = stack.ladder[6], list(stack.ladder[7])
    left = stack.filled
    for i, u in enumerate(units):
        units[i], left = max(0, u - left), max(0, left - u)
    asks = [(nmr(p), u) for p, u in zip(prices, units) if u]
    assert [(Decimal(p), u) for side, p, u, _ in page_book if side == "ask"] == asks
    # bob's bids, units and cumulative units (their per-unit prices: test_bid_levels_are_priced_per_unit).
    shown_bids = [(u, c) for side, _p, u, c in page_book if side == "bid"]
    assert sorted(u for u, _ in shown_bids) == sorted(n for n, _ in stack.bids)
    assert shown_bids[-1][1] == sum(n for n, _ in stack.bids)
    assert page.locator("#book-chart path.bid").count() == 1
    assert page.locator("#book-chart path.ask").count() == 1

    orders = api(stack, "/v1/market/orders", address=stack.user.address)["items"]
    (order,) = orders  # bob's fill of alice's ladder
    (shown_order,) = rows(page, "#orders-table")
    # The id is the API's decimal string (a uint256 hash), every digit as the chain has it.
    assert isinstance(order["order_id"], str) and int(order["order_id"]) > 2**53
    assert shown_order["values"][0] == order["order_id"]
    assert shown_order["text"][1:4] == ["seller", order["state"], order["mode"]]
    assert shown_order["values"][5] == order["price"]
    assert Decimal(order["price"]) == nmr(2 * NMR + 3 * NMR // 2)  # 2 at 1 NMR + 1 at 1.5
    page.screenshot(path=str(screenshots / "book-and-orders-1280.png"), full_page=True)
    assert errors == [] and page.is_hidden("#error"), page.text_content("#error")
    context.close()


def test_bid_levels_are_priced_per_unit(stack):
    book = api(stack, "/v1/market/book", model=stack.models[0], round=stack.open_round)
    per_unit = sorted(((nmr(price) / n, n) for n, price in stack.bids), reverse=True)
    assert [(Decimal(lv["price"]), lv["units"]) for lv in book["bids"]] == per_unit


def test_the_dashboard_fits_a_phone(stack, browser, screenshots):
    context, page, errors = open_dashboard(browser, stack, PHONE)
    page.wait_for_selector("body[data-payouts='model:NMR']")
    # Nothing wider than the screen: tables scroll inside their cards, charts scale.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#payouts-table tbody tr").count() >= 2
    for section in ("#payouts", "#pool", "#editor", "#positions", "#book", "#orders"):
        box = page.locator(section).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], section
    page.screenshot(path=str(screenshots / "dashboard-375.png"), full_page=True)
    assert errors == []
    context.close()


@pytest.fixture
def wallet(stack):
    """A window.ethereum whose eth_signTypedData_v4 is a binding that signs with alice's key
    here, the way a wallet extension would; what it signed is kept for the test. It is on the
    stack's chain unless `install.chain_id` says otherwise (and refuses to switch)."""
    signed: list[dict] = []

    def sign(address: str, typed_json: str) -> str:
        if address.lower() != stack.user.address.lower():
            raise ValueError(f"this wallet holds {stack.user.address}, not {address}")
        typed = json.loads(typed_json)
        signed.append(typed)
        message = encode_typed_data(full_message=typed)
        return "0x" + Account.sign_message(message, stack.user.key).signature.hex()

    def install(page):
        page.expose_function("nmrxTestSign", sign)
        page.add_init_script(
            """window.ethereum = { isTestWallet: true, async request({ method, params }) {
                 if (method === "eth_requestAccounts" || method === "eth_accounts")
                   return [%s];
                 if (method === "eth_chainId") return %s;
                 if (method === "eth_signTypedData_v4")
                   return await window.nmrxTestSign(params[0], params[1]);
                 throw Object.assign(new Error("unsupported " + method), { code: 4200 });
               } };"""
            % (json.dumps(stack.user.address), json.dumps(hex(install.chain_id)))
        )

    install.signed = signed
    install.chain_id = stack.setup.agent.chain_id
    return install


def test_a_wallet_on_another_chain_is_told_to_switch_and_nothing_is_sent(
    stack, browser, wallet
):
    wallet.chain_id = 1  # mainnet, and this wallet will not switch
    context, page, errors = open_dashboard(browser, stack, DESKTOP, wallet)
    page.wait_for_selector("body[data-loaded]")
    jobs = len(stack.setup.store.jobs())
    page.click("#sign-policy")
    page.wait_for_selector("#editor-status.bad")
    chain_id = stack.setup.agent.chain_id
    assert page.text_content("#editor-status") == (
        f"Your wallet is on chain 1, the pool on chain {chain_id}: switch the wallet to chain "
        f"{chain_id} and sign again."
    )
    assert page.is_visible("#error") and wallet.signed == []
    assert len(stack.setup.store.jobs()) == jobs
    context.close()


def test_policy_and_allocation_changes_are_signed_in_the_page_and_applied_on_chain(
    stack, browser, screenshots, wallet
):
    s = stack.setup
    model = stack.models[2]  # alice's third model: no policy yet
    (_user,), (view,) = s.pool.functions.balancesOf([stack.user.address], [model]).call()
    assert (view[3], view[4]) == (0, 0)

    # No address in the URL: "Connect wallet" asks the wallet for its account.
    context, page, errors = open_dashboard(browser, stack, DESKTOP, wallet, address=False)
    page.click("#connect")
    page.wait_for_selector("body[data-loaded]")
    assert page.input_value("#address") == stack.user.address
    page.select_option("#ed-model", model)
    page.fill("#ed-per-round", "7.25")
    page.select_option("#ed-mode", str(COMPOUND))
    page.click("#sign-policy")
    page.wait_for_selector("#editor-status.ok, #editor-status.bad")
    assert "Accepted" in page.text_content("#editor-status"), page.text_content("#editor-status")
    assert page.input_value("#ed-per-round") == "7.25"

    # The wallet was asked to sign exactly the pool's SetPolicy typed data for this change.
    (typed,) = wallet.signed
    message = typed["message"]
    assert int(message["perRound"]) == 7_250_000_000_000_000_000 and message["mode"] == COMPOUND
    assert message["model"].lower() == model.lower() and int(message["nonce"]) == _user[3]
    reference = pool_typed_data(s.agent.chain_id, s.pool.address, "SetPolicy", message)
    assert typed["domain"] == reference["domain"] and typed["types"] == reference["types"]
    assert json.loads(page.text_content("#payload")) == typed  # the payload shown to the user

    # The agent relays it (its Sender sends the job the API planned); the pool applies it.
    relays = [j for j in s.store.jobs() if j.kind == "relay-policy"]
    assert len(relays) == 1 and relays[0].payload["model"] == model.lower()
    s.send_all()
    (_user,), (view,) = s.pool.functions.balancesOf([stack.user.address], [model]).call()
    assert (view[3], view[4]) == (7_250_000_000_000_000_000, COMPOUND)

    # The agent tells the page (server-sent events) and the page shows what the pool now has.
    page.wait_for_selector("#live li[data-kind='policy.applied']", timeout=20_000)
    page.wait_for_selector("#editor-status.applied", timeout=20_000)
    (row,) = [r for r in rows(page, "#models-table") if r["model"] == model]
    assert row["text"][3] == "Compound 7.25/round"
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    page.screenshot(path=str(screenshots / "policy-signed-1280.png"), full_page=True)

    # Then where the model's payouts go: 30% to alice's first model, 70% to her liquid balance.
    first, second = "#alloc-rows .alloc:nth-child(1)", "#alloc-rows .alloc:nth-child(2)"
    page.select_option(f"{first} select:nth-child(2)", stack.models[0])
    page.fill(f"{first} input", "3000")
    page.click("#alloc-add")
    page.select_option(f"{second} select:nth-child(1)", "2")  # TargetKind.Pool
    page.fill(f"{second} input", "7000")
    assert page.text_content("#alloc-total") == "10,000"
    page.click("#sign-allocation")
    page.wait_for_selector("#editor-status.ok:not(.applied), #editor-status.bad")
    assert "Accepted" in page.text_content("#editor-status"), page.text_content("#editor-status")
    typed = wallet.signed[-1]
    assert typed["primaryType"] == "SetAllocation"
    assert [(t["kind"], t["bps"]) for t in typed["message"]["targets"]] == [(0, 3000), (2, 7000)]
    s.send_all()
    assert s.pool.functions.allocationOf(model).call() == [
        (0, bytes.fromhex(stack.models[0][2:]), 3000), (2, bytes(32), 7000)
    ]
    page.wait_for_selector("#live li[data-kind='allocation.applied']", timeout=20_000)
    page.wait_for_selector("#editor-status.applied", timeout=20_000)
    (row,) = [r for r in rows(page, "#models-table") if r["model"] == model]
    assert row["text"][4].endswith("30.00%, pool 70.00%"), row["text"][4]
    assert errors == []
    context.close()
