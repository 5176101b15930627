// The dashboard's logic: reads the agent's /v1 API, draws it (charts.js), and turns the policy and
// allocation editor into the pool's EIP-712 messages (the same typed data as
// agent/staking.py pool_typed_data), which the user's wallet signs with eth_signTypedData_v4 and
// the page posts to the API for the agent to relay. Nothing here holds a key.
"use strict";

const WEI = 10n ** 18n;
const ZERO32 = "0x" + "00".repeat(32);
const KINDS = ["Model", "Wallet", "Pool"]; // IPayoutPool.TargetKind
const MODES = ["Fixed", "Compound"]; // IPayoutPool.StakeMode
const SIGNATURE_LIFETIME = 3600; // seconds a signed change stays valid

const $ = (sel) => document.querySelector(sel);
const state = { address: null, group: "model", currency: "NMR", health: null, pool: null };

// -- small helpers ---------------------------------------------------------------------------

class ApiError extends Error {}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" }, ...options });
  } catch (exc) {
    throw new ApiError(`The agent's API does not answer (${exc.message}); is the service running?`);
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (response.status === 404 && body && body.detail === "Not Found") {
    throw new ApiError(`This agent's API has no ${path.split("?")[0]} route (an older agent?).`);
  }
  if (!response.ok) {
    const detail = body && typeof body.detail === "string" ? body.detail
      : body && body.detail ? JSON.stringify(body.detail) : `${response.status} ${text}`;
    throw new ApiError(detail);
  }
  return body;
}

// Every page of a list route (500 items a page, at most 20 pages) as one answer.
async function allPages(path, params = {}, size = 500) {
  let first = null, items = [], cursor = null;
  for (let i = 0; i < 20; i++) {
    const q = new URLSearchParams({ ...params, limit: String(size) });
    if (cursor) q.set("cursor", cursor);
    const page = await api(`${path}?${q}`);
    first = first || page;
    items = items.concat(page.items || []);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return { ...first, items, next_cursor: cursor };
}

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

function cell(text, { cls, value, title } = {}) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "–" : String(text);
  if (cls) td.className = cls;
  if (value !== undefined && value !== null) td.dataset.value = String(value);
  if (title) td.title = title;
  return td;
}

function row(cells, attrs = {}) {
  const tr = document.createElement("tr");
  for (const [k, v] of Object.entries(attrs)) tr.dataset[k] = String(v);
  tr.append(...cells);
  return tr;
}

function emptyRow(table, columns, message) {
  const td = cell(message, { cls: "empty" });
  td.colSpan = columns;
  $(table + " tbody").replaceChildren(row([td]));
}

// Amounts: the API answers NMR amounts as decimal strings (exact), or wei integers in fields
// named *_wei; both are shown with up to 6 decimals and kept exact in data-value.
function asNumber(v) { return v === null || v === undefined || v === "" ? 0 : Number(v); }
function fmt(v, digits = 6) {
  if (v === null || v === undefined || v === "") return "–";
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}
// "7.250000000000000000" -> "7.25" (exact: only the string's trailing zeros go).
function trimmed(text) {
  const t = String(text);
  return t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t;
}
function weiToNmr(wei) {
  const w = BigInt(wei);
  const sign = w < 0n ? "-" : "";
  const a = w < 0n ? -w : w;
  const frac = (a % WEI).toString().padStart(18, "0").replace(/0+$/, "");
  return sign + (a / WEI).toString() + (frac ? "." + frac : "");
}
// "12.5" NMR -> 12500000000000000000n exactly (no float on the way to a signature).
function nmrToWei(text) {
  const m = /^\s*(\d+)(?:\.(\d{0,18}))?\s*$/.exec(text);
  if (!m) throw new ApiError(`"${text}" is not an NMR amount; write it like 12.5`);
  return BigInt(m[1]) * WEI + BigInt((m[2] || "").padEnd(18, "0"));
}
// An amount field of a pool answer: NMR string, or wei in a sibling field.
function nmrOf(obj, name) {
  if (obj[name + "_wei"] !== undefined) return weiToNmr(obj[name + "_wei"]);
  return obj[name];
}
function when(ts) {
  if (!ts) return "–";
  const t = typeof ts === "number" ? ts * 1000 : Date.parse(ts);
  return new Date(t).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
function seconds(ts) { return typeof ts === "number" ? ts : Date.parse(ts) / 1000; }
function shortId(id) { return id && id.length > 14 ? id.slice(0, 8) + "…" + id.slice(-4) : id; }
function modelName(id) {
  const want = String(id).toLowerCase();
  const m = state.pool && state.pool.models.find((x) => x.model_id.toLowerCase() === want);
  return (m && (m.name || shortId(m.uuid))) || shortId(id);
}

// -- payouts ---------------------------------------------------------------------------------

async function loadPayouts() {
  const seq = (state.payoutsSeq = (state.payoutsSeq || 0) + 1);
  const data = await allPages(`/v1/users/${state.address}/payouts`,
    { group: state.group, currency: state.currency });
  if (seq !== state.payoutsSeq) return; // a newer read (another grouping) answers instead
  const items = data.items || [];
  $("#payouts-key").textContent = state.group === "model" ? "Model" : "Round";
  $("#value-h").textContent = `Value ${data.currency || state.currency}`;
  Charts.bars($("#payouts-chart"), items.map((d) => ({
    key: String(d.key),
    label: state.group === "model" && d.model_id ? modelName(d.model_id) : `R${d.key}`,
    value: asNumber(d.payout_nmr), raw: d.payout_nmr, burn: asNumber(d.burn_nmr),
  })));
  if (!items.length) emptyRow("#payouts-table", 7, "No payouts for this wallet yet.");
  else {
    $("#payouts-table tbody").replaceChildren(...items.map((d) => row([
      state.group === "model" && d.model_id
        ? cell(modelName(d.model_id), { title: d.model_id }) : cell(d.key, { cls: "num" }),
      cell(fmt(d.stake_nmr), { cls: "num", value: d.stake_nmr }),
      cell(fmt(d.payout_nmr), { cls: "num " + (asNumber(d.payout_nmr) < 0 ? "loss" : "gain"),
        value: d.payout_nmr }),
      cell(fmt(d.burn_nmr), { cls: "num", value: d.burn_nmr }),
      cell(fmt(d.value, 2), { cls: "num", value: d.value }),
      cell(fmt(d.pending_nmr), { cls: "num", value: d.pending_nmr }),
      cell(Array.isArray(d.claims) ? d.claims.length : d.claims, { cls: "num" }),
    ], { key: d.key })));
  }
  const t = data.totals || {};
  $("#payouts-table tfoot").replaceChildren(row([
    cell("Total"),
    cell(fmt(t.stake_nmr), { cls: "num", value: t.stake_nmr }),
    cell(fmt(t.payout_nmr), { cls: "num", value: t.payout_nmr }),
    cell(fmt(t.burn_nmr), { cls: "num", value: t.burn_nmr }),
    cell(fmt(t.value, 2), { cls: "num", value: t.value }),
    cell(fmt(t.pending_nmr), { cls: "num", value: t.pending_nmr }),
    cell(t.claims === undefined ? "" : t.claims, { cls: "num" }),
  ], { key: "total" }));
  document.body.dataset.payouts = `${state.group}:${data.currency || state.currency}`;
  $("#csv").href = `/v1/users/${state.address}/payouts.csv?${new URLSearchParams({
    currency: state.currency })}`;
}

// -- pool: balances, models, and the editor's starting point ----------------------------------

// A TargetKind as its index, whether the API answers 0, "model" or "Model".
function kindIndex(kind) {
  if (typeof kind === "number") return kind;
  const i = KINDS.findIndex((k) => k.toLowerCase() === String(kind).toLowerCase());
  return i < 0 ? 0 : i;
}

// A StakeMode as its index, whether the API answers 1, "compound" or "Compound".
function modeIndex(mode) {
  if (typeof mode === "number") return mode;
  const i = MODES.findIndex((m) => m.toLowerCase() === String(mode).toLowerCase());
  return i < 0 ? 0 : i;
}

function policyText(p) {
  if (!p) return "–";
  return `${MODES[modeIndex(p.mode)]} ${fmt(nmrOf(p, "per_round"))}/round`;
}
function targetText(a) {
  const kind = KINDS[kindIndex(a.kind)];
  const model = a.model_id || a.model;
  const target = kind === "Model" && model ? modelName(model) : kind.toLowerCase();
  return `${target} ${(a.bps / 100).toFixed(2)}%`;
}

// `fill`: put the chosen model's policy and allocation into the editor. Only when the user asks
// (Show, another model): a refresh in the background must not undo what they are typing.
async function loadPool({ fill = false } = {}) {
  const data = await api(`/v1/pool/users/${state.address}`);
  state.pool = data;
  const liquid = nmrOf(data, "liquid");
  $("#liquid").textContent = fmt(liquid);
  $("#liquid").dataset.value = liquid;
  const w = data.withdrawal || {};
  const queued = (w.requests || []).filter((r) => r.state !== "confirmed").length;
  $("#withdrawal").textContent = (w.next_free_at && Date.parse(w.next_free_at) > Date.now()
    ? `· next free withdrawal ${when(w.next_free_at)}` : "· a free withdrawal is available") +
    (queued ? ` · ${queued} signed request(s) waiting for the agent's batch` : "");
  const models = data.models || [];
  if (!models.length) emptyRow("#models-table", 5, "No models in the pool.");
  else {
    $("#models-table tbody").replaceChildren(...models.map((m) => row([
      cell(m.name || shortId(m.uuid || m.model_id), { title: m.model_id }),
      cell(fmt(nmrOf(m, "idle")), { cls: "num", value: nmrOf(m, "idle") }),
      cell(fmt(nmrOf(m, "at_risk")), { cls: "num", value: nmrOf(m, "at_risk") }),
      cell(policyText(m.policy), { value: m.policy ? `${m.policy.mode}:${nmrOf(m.policy,
        "per_round")}` : "" }),
      cell((m.allocation || []).map(targetText).join(", ")),
    ], { model: m.model_id })));
  }
  const select = $("#ed-model");
  const chosen = select.value;
  select.replaceChildren(...models.map((m) => {
    const o = document.createElement("option");
    o.value = m.model_id;
    o.textContent = m.name || shortId(m.uuid || m.model_id);
    return o;
  }));
  if (chosen && models.some((m) => m.model_id === chosen)) select.value = chosen;
  if (fill || !chosen) fillEditor();
  // The API takes a model's UUID or its on-chain id: the UUID is the one a user recognizes.
  if (!$("#book-model").value && models.length) {
    $("#book-model").value = models[0].uuid || models[0].model_id;
  }
}

// -- positions timeline ----------------------------------------------------------------------

async function loadPositions() {
  const data = await allPages(`/v1/pool/users/${state.address}/positions`);
  const items = data.items || [];
  const now = Date.now() / 1000;
  if (!$("#book-round").value && items.length) {
    $("#book-round").value = String(Math.max(...items.map((p) => p.round)));
  }
  Charts.timeline($("#positions-chart"), items.map((p) => {
    const start = p.staked_at ? seconds(p.staked_at) : now;
    return { label: `R${p.round} ${modelName(p.model_id)}`, start,
      end: p.resolve_time ? seconds(p.resolve_time) : start };
  }), now);
  if (!items.length) emptyRow("#positions-table", 4, "No open positions.");
  else {
    $("#positions-table tbody").replaceChildren(...items.map((p) => row([
      cell(p.round, { cls: "num" }),
      cell(modelName(p.model_id), { title: p.model_id }),
      cell(fmt(p.stake_nmr), { cls: "num", value: p.stake_nmr }),
      cell(p.resolve_time ? when(p.resolve_time) : "not scheduled yet"),
    ], { round: p.round, model: p.model_id })));
  }
}

// -- order book and orders -------------------------------------------------------------------

async function loadBook() {
  const model = $("#book-model").value.trim();
  const round = $("#book-round").value.trim();
  if (!model || !round) return;
  const seq = (state.bookSeq = (state.bookSeq || 0) + 1);
  const data = await api(`/v1/market/book?${new URLSearchParams({ model, round })}`);
  if (seq !== state.bookSeq) return;
  const side = (levels, order) => (levels || []).map((l) => ({
    price: asNumber(l.price), units: asNumber(l.units), cumulative: asNumber(l.cumulative),
    raw: l,
  })).sort((a, b) => order * (a.price - b.price));
  const bids = side(data.bids, -1), asks = side(data.asks, 1); // best prices first
  Charts.depth($("#book-chart"), bids, asks);
  const rows = [...bids.map((l) => ["bid", l]), ...asks.map((l) => ["ask", l])];
  if (!rows.length) emptyRow("#book-table", 4, "No asks or bids for this model and round.");
  else {
    $("#book-table tbody").replaceChildren(...rows.map(([s, l]) => row([
      cell(s, { cls: s === "bid" ? "gain" : "loss" }),
      cell(fmt(l.raw.price), { cls: "num", value: l.raw.price }),
      cell(fmt(l.raw.units), { cls: "num", value: l.raw.units }),
      cell(fmt(l.raw.cumulative), { cls: "num", value: l.raw.cumulative }),
    ], { side: s })));
  }
  document.body.dataset.book = `${model}:${round}`;
}

async function loadOrders() {
  const [data, reputation] = await Promise.all([
    allPages("/v1/market/orders", { address: state.address }),
    api(`/v1/market/sellers/${state.address}/reputation`).catch(() => null),
  ]);
  const items = data.items || [];
  const me = state.address.toLowerCase();
  if (!items.length) emptyRow("#orders-table", 7, "No orders for this wallet.");
  else {
    $("#orders-table tbody").replaceChildren(...items.map((o) => {
      const role = (o.seller || "").toLowerCase() === me ? "seller"
        : (o.buyer || "").toLowerCase() === me ? "buyer" : "";
      return row([
        // order_id is a decimal string (a uint256 hash): the API keeps its digits exact.
        cell(`#${shortId(o.order_id)}`, { cls: "mono", value: o.order_id, title: o.order_id }),
        cell(role), cell(o.state), cell(o.mode),
        cell(o.round === undefined ? "–" : `${o.round} × ${o.units}`, { cls: "num" }),
        cell(fmt(o.price), { cls: "num", value: o.price }),
        cell(o.deadline ? `${o.deadline_kind || "by"} ${when(o.deadline)}` : "–"),
      ], { order: o.order_id });
    }));
  }
  $("#reputation").textContent = reputation
    ? `As a seller: ${reputation.sales} sales, ${fmt(reputation.volume)} NMR, ` +
      `${reputation.refunds} refunds, ${reputation.slashes} slashes.`
    : "";
}

// -- the editor: typed data, signature, relay ------------------------------------------------

function fillEditor() {
  const m = state.pool && state.pool.models.find((x) => x.model_id === $("#ed-model").value);
  if (!m) return;
  $("#ed-per-round").value = m.policy ? trimmed(nmrOf(m.policy, "per_round")) : "0";
  $("#ed-mode").value = String(m.policy ? modeIndex(m.policy.mode) : 0);
  const rows = $("#alloc-rows");
  rows.replaceChildren();
  const targets = m.allocation && m.allocation.length ? m.allocation
    : [{ kind: 0, model: m.model_id, bps: 10000 }];
  for (const t of targets) addAllocationRow(t);
  updateTotal();
}

function addAllocationRow(t = { kind: 2, model: ZERO32, bps: 0 }) {
  const line = document.createElement("div");
  line.className = "alloc";
  const kind = document.createElement("select");
  kind.setAttribute("aria-label", "Target kind");
  KINDS.forEach((k, i) => {
    const o = document.createElement("option");
    o.value = String(i);
    o.textContent = k;
    kind.appendChild(o);
  });
  kind.value = String(kindIndex(t.kind));
  const model = document.createElement("select");
  model.setAttribute("aria-label", "Target model");
  for (const m of (state.pool ? state.pool.models : [])) {
    const o = document.createElement("option");
    o.value = m.model_id;
    o.textContent = m.name || shortId(m.uuid || m.model_id);
    model.appendChild(o);
  }
  const target = t.model || t.model_id;
  if (target && target !== ZERO32) model.value = target;
  const bps = document.createElement("input");
  bps.setAttribute("aria-label", "Basis points");
  bps.inputMode = "numeric";
  bps.value = String(t.bps);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "small";
  remove.textContent = "×";
  remove.setAttribute("aria-label", "Remove target");
  remove.onclick = () => { line.remove(); updateTotal(); };
  const sync = () => { model.disabled = kind.value !== "0"; updateTotal(); };
  kind.onchange = sync;
  bps.oninput = updateTotal;
  line.append(kind, model, bps, remove);
  $("#alloc-rows").appendChild(line);
  sync();
}

function allocationTargets() {
  return [...document.querySelectorAll("#alloc-rows .alloc")].map((line) => {
    const [kind, model, bps] = line.querySelectorAll("select, input");
    return { kind: Number(kind.value), model: kind.value === "0" ? model.value : ZERO32,
      bps: Number(bps.value) };
  });
}

function updateTotal() {
  const total = allocationTargets().reduce((s, t) => s + (Number.isFinite(t.bps) ? t.bps : 0), 0);
  $("#alloc-total").textContent = total.toLocaleString("en-US");
  $("#sign-allocation").disabled = total !== 10000;
}

// The pool's EIP-712 domain and types: agent/staking.py DOMAIN_FIELDS, TYPES, pool_typed_data.
const DOMAIN_FIELDS = [
  { name: "name", type: "string" }, { name: "version", type: "string" },
  { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" },
];
const TYPES = {
  SetPolicy: {
    SetPolicy: [
      { name: "owner", type: "address" }, { name: "model", type: "bytes32" },
      { name: "perRound", type: "uint256" }, { name: "mode", type: "uint8" },
      { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" },
    ],
  },
  SetAllocation: {
    SetAllocation: [
      { name: "owner", type: "address" }, { name: "model", type: "bytes32" },
      { name: "targets", type: "Target[]" }, { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
    Target: [
      { name: "kind", type: "uint8" }, { name: "model", type: "bytes32" },
      { name: "bps", type: "uint16" },
    ],
  },
};

// The agent's own answer (GET /v1/auth/domain) is the truth for the domain and types; without
// it (an agent that serves no writes) the page derives them from /health.
async function poolSpec(primary) {
  if (state.domains === undefined) {
    try { state.domains = await api("/v1/auth/domain"); } catch { state.domains = null; }
  }
  const spec = state.domains && state.domains.pool && state.domains.pool[primary];
  if (spec) return { domain: spec.domain, types: spec.types };
  const pool = state.health && state.health.contracts.PayoutPool;
  if (!pool) throw new ApiError("This agent names no PayoutPool contract: it relays no changes.");
  return {
    domain: { name: "nmrx PayoutPool", version: "1", chainId: state.health.chain_id,
      verifyingContract: pool },
    types: { EIP712Domain: DOMAIN_FIELDS, ...TYPES[primary] },
  };
}

async function poolTypedData(primary, message) {
  const { domain, types } = await poolSpec(primary);
  return { types, primaryType: primary, domain, message };
}

function wallet() {
  if (!window.ethereum) {
    throw new ApiError("No wallet in this browser: install one (window.ethereum) to sign changes.");
  }
  return window.ethereum;
}

// The wallet's account, checked to be the wallet shown, on the pool's chain (wallets refuse to
// sign typed data for another chain than their own; ask them to switch first).
async function signer(chainId) {
  const accounts = await wallet().request({ method: "eth_requestAccounts" });
  const account = (accounts || [])[0];
  if (!account || account.toLowerCase() !== state.address.toLowerCase()) {
    throw new ApiError(`Your wallet's account ${account || "(none)"} is not ${state.address}: ` +
      "switch accounts in the wallet, or show the wallet's own address.");
  }
  const current = Number(await wallet().request({ method: "eth_chainId" }));
  if (current !== Number(chainId)) {
    try {
      await wallet().request({ method: "wallet_switchEthereumChain",
        params: [{ chainId: "0x" + Number(chainId).toString(16) }] });
    } catch {
      throw new ApiError(`Your wallet is on chain ${current}, the pool on chain ${chainId}: ` +
        `switch the wallet to chain ${chainId} and sign again.`);
    }
  }
  return account;
}

// A signed change is valid for an hour, with the pool's current nonce for this wallet (read
// fresh: any change since the page loaded moved it).
async function deadline() {
  const fresh = await api(`/v1/pool/users/${state.address}`);
  state.pool = fresh;
  return { deadline: Math.floor(Date.now() / 1000) + SIGNATURE_LIFETIME,
    nonce: Number(fresh.nonce) };
}

async function signAndPost(primary, message, route, body) {
  const typed = await poolTypedData(primary, message);
  $("#payload").textContent = JSON.stringify(typed, null, 2);
  status("Waiting for your wallet's signature…");
  const account = await signer(typed.domain.chainId);
  const signature = await wallet().request({
    method: "eth_signTypedData_v4", params: [account, JSON.stringify(typed)],
  });
  status("Signed; sending to the agent…");
  const answer = await api(route, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ ...body, chain_id: Number(typed.domain.chainId), signature }),
  });
  status("Accepted: the agent is relaying it to the pool…", "ok");
  $("#editor-status").title = `job ${answer.job_key}`;
  state.pendingJob = answer.job_key;
  watchApplied(Number(message.nonce));
  return answer;
}

// The pool spends the signed nonce when it applies the change: poll the account (every 2 s, for
// up to 10 minutes, until another change is signed) and say so when it has moved.
async function watchApplied(signedNonce) {
  const token = (state.signing = (state.signing || 0) + 1);
  for (let i = 0; i < 300 && state.signing === token; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    let fresh = null;
    try { fresh = await api(`/v1/pool/users/${state.address}`); } catch { continue; }
    if (state.signing !== token) return;
    if (Number(fresh.nonce) > signedNonce) {
      await loadPool().catch(() => {});
      applied();
      return;
    }
  }
}

function status(text, cls = "") {
  const s = $("#editor-status");
  s.textContent = text;
  s.className = cls;
}

async function signPolicy() {
  const model = $("#ed-model").value;
  const perRound = nmrToWei($("#ed-per-round").value);
  const mode = Number($("#ed-mode").value);
  const { deadline: until, nonce } = await deadline();
  // uint256 values travel as decimal strings: a JavaScript number loses wei above 2**53.
  const message = { owner: state.address, model, perRound: perRound.toString(), mode,
    nonce: String(nonce), deadline: until };
  await signAndPost("SetPolicy", message, "/v1/pool/policies", {
    owner: state.address, model, per_round: perRound.toString(), mode, nonce, deadline: until,
  });
}

async function signAllocation() {
  const model = $("#ed-model").value;
  const targets = allocationTargets();
  if (targets.some((t) => !Number.isInteger(t.bps) || t.bps < 1)) {
    throw new ApiError("Each target needs a whole number of basis points, at least 1.");
  }
  const { deadline: until, nonce } = await deadline();
  const message = { owner: state.address, model, targets, nonce: String(nonce), deadline: until };
  await signAndPost("SetAllocation", message, "/v1/pool/allocations", {
    owner: state.address, model, targets, nonce, deadline: until,
  });
}

function applied() {
  state.signing = (state.signing || 0) + 1; // stops the nonce watch
  state.pendingJob = null;
  status("Applied on chain: the pool has your change.", "ok applied");
}

// -- live notifications (server-sent events from the agent) ----------------------------------

// What each notification kind makes the page read again.
const LIVE = {
  "claim": ["payouts", "pool", "positions"], "burn": ["payouts", "pool", "positions"],
  "stake": ["positions", "pool"], "round.resolved": ["payouts", "positions"],
  "policy": ["pool"], "allocation": ["pool"], "policy.applied": ["pool"],
  "allocation.applied": ["pool"], "relay.failed": ["pool"], "withdrawal": ["pool"],
  "withdrawal.failed": ["pool"], "order.state": ["orders", "book"], "verdict": ["orders"],
  "scores.daily": [],
};
const LOADERS = { payouts: () => loadPayouts(), pool: () => loadPool(),
  positions: () => loadPositions(), orders: () => loadOrders(), book: () => loadBook() };

function listen() {
  if (state.events) state.events.close();
  state.events = null;
  if (!window.EventSource || !state.address) return;
  const source = new EventSource(`/v1/events?${new URLSearchParams({ address: state.address })}`);
  state.events = source;
  for (const kind of Object.keys(LIVE)) {
    source.addEventListener(kind, (e) => {
      let note = null;
      try { note = JSON.parse(e.data); } catch { return; }
      onNotification(kind, note);
    });
  }
}

const SAYS = {
  "claim": "claimed", "burn": "burned", "stake": "staked", "round.resolved": "round resolved",
  "policy": "policy set", "allocation": "allocation set", "policy.applied": "policy applied",
  "allocation.applied": "allocation applied", "withdrawal": "withdrawn",
  "withdrawal.failed": "withdrawal failed", "verdict": "verdict", "scores.daily": "daily scores",
};

function describe(kind, d) {
  const model = d.model ? ` · ${modelName(d.model)}` : "";
  const round = d.round !== undefined && d.round !== null ? ` · round ${d.round}` : "";
  if (kind === "relay.failed") return `a signed change failed${model}: ${d.reason || d.state}`;
  if (kind === "order.state") return `order #${shortId(d.order_id)} ${d.state}`;
  return `${SAYS[kind] || kind}${model}${round}`;
}

function onNotification(kind, note) {
  const d = note.data || {};
  const item = document.createElement("li");
  item.dataset.kind = kind;
  item.textContent = `${when(note.created_at)} · ${describe(kind, d)}`;
  const list = $("#live");
  list.prepend(item);
  while (list.children.length > 8) list.lastChild.remove();
  if (state.pendingJob && d.job_key === state.pendingJob) {
    if (kind === "relay.failed") {
      state.pendingJob = null;
      state.signing = (state.signing || 0) + 1;
      status(`The change was not applied: ${d.reason || "the relay failed"}.`, "bad");
    } else {
      state.pendingJob = null;
      loadPool().catch(() => {}).finally(applied); // shown with what the pool now holds
    }
  }
  // Read again what the news touches, at most once a second whatever the burst.
  for (const part of LIVE[kind] || []) (state.stale ||= new Set()).add(part);
  clearTimeout(state.refresh);
  state.refresh = setTimeout(() => {
    const parts = [...(state.stale || [])];
    state.stale = new Set();
    for (const part of parts) LOADERS[part]().catch((exc) => showError(exc.message));
  }, 1000);
}

// -- wiring ----------------------------------------------------------------------------------

function guarded(fn, onError) {
  return async (...args) => {
    try {
      showError("");
      await fn(...args);
    } catch (exc) {
      const message = exc && exc.message ? exc.message : String(exc);
      if (onError) onError(message);
      showError(message);
    }
  };
}
const editorFailed = (message) => status(message, "bad");

async function loadAll() {
  if (!state.address) return;
  document.body.dataset.loading = "1";
  const url = new URL(location.href);
  url.searchParams.set("address", state.address);
  history.replaceState(null, "", url);
  if (!state.events || !state.events.url.includes(state.address)) listen();
  // The pool first: the other sections name models by what it answers.
  const results = await Promise.allSettled([loadPool({ fill: true })]);
  results.push(...await Promise.allSettled([loadPayouts(), loadPositions(), loadOrders()]));
  await Promise.allSettled([loadBook()]).then((r) => results.push(...r));
  const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
  showError([...new Set(failed)].join(" "));
  delete document.body.dataset.loading;
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

function setAddress(address) {
  const a = address.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(a)) {
    showError(`"${a}" is not a wallet address: paste one like 0x followed by 40 hex digits.`);
    return false;
  }
  state.address = a;
  $("#address").value = a;
  return true;
}

async function start() {
  try {
    state.health = await api("/health");
    const h = state.health;
    $("#chain").textContent = `chain ${h.chain_id} · block ${h.latest_block}`;
  } catch (exc) {
    showError(exc.message);
  }
  $("#who").addEventListener("submit", (e) => {
    e.preventDefault();
    if (setAddress($("#address").value)) guarded(loadAll)();
  });
  $("#connect").addEventListener("click", guarded(async () => {
    const accounts = await wallet().request({ method: "eth_requestAccounts" });
    if (accounts && accounts[0] && setAddress(accounts[0])) await loadAll();
  }));
  for (const radio of document.querySelectorAll("input[name=group]")) {
    radio.addEventListener("change", guarded(async () => {
      state.group = radio.value;
      await loadPayouts();
    }));
  }
  $("#currency").addEventListener("change", guarded(async () => {
    state.currency = $("#currency").value;
    await loadPayouts();
  }));
  $("#book-form").addEventListener("submit", (e) => { e.preventDefault(); guarded(loadBook)(); });
  $("#ed-model").addEventListener("change", fillEditor);
  $("#alloc-add").addEventListener("click", () => addAllocationRow());
  $("#sign-policy").addEventListener("click", guarded(signPolicy, editorFailed));
  $("#sign-allocation").addEventListener("click", guarded(signAllocation, editorFailed));
  const initial = new URLSearchParams(location.search).get("address");
  if (initial && setAddress(initial)) await guarded(loadAll)();
  document.body.dataset.ready = "1";
}

// Charts are drawn at their container's width: draw them again when it changes.
let lastWidth = window.innerWidth;
window.addEventListener("resize", () => {
  if (window.innerWidth === lastWidth || !state.address) return;
  lastWidth = window.innerWidth;
  clearTimeout(state.redraw);
  state.redraw = setTimeout(() => guarded(loadAll)(), 250);
});

document.addEventListener("DOMContentLoaded", start);
