// SVG charts drawn by hand (no library): bars, order-book depth, a timeline. Every element is
// made with createElementNS and text nodes, so data (model names, keys) is never parsed as markup.
"use strict";

const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.appendChild(document.createTextNode(String(text)));
    return node;
  }

  function svg(width, height) {
    return el("svg", { viewBox: `0 0 ${width} ${height}`, width, height });
  }

  // Charts are drawn at their container's pixel width, so text keeps its size on a phone (the
  // page redraws them when the width changes).
  function widthOf(container, fallback) {
    return Math.max(280, Math.floor(container.clientWidth || fallback));
  }

  function empty(container, message) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = message;
    container.replaceChildren(p);
  }

  function short(n) {
    const a = Math.abs(n);
    if (a >= 1000) return (n / 1000).toFixed(1) + "k";
    if (a >= 10) return n.toFixed(0);
    if (a >= 1) return n.toFixed(1);
    return n.toFixed(2);
  }

  // Bars of `value` (gain above the zero line) and of `burn` (below it), `label` under each bar,
  // thinned out when there are many.
  function bars(container, items, { height = 200 } = {}) {
    if (!items.length) return empty(container, "No payouts yet.");
    const width = widthOf(container, 800);
    const pad = { l: 44, r: 8, t: 10, b: 28 };
    const values = items.flatMap((d) => [d.value, -(d.burn || 0), 0]);
    const hi = Math.max(...values), lo = Math.min(...values);
    const span = hi - lo || 1;
    const y = (v) => pad.t + ((hi - v) / span) * (height - pad.t - pad.b);
    const slot = (width - pad.l - pad.r) / items.length;
    const w = Math.max(1, Math.min(slot * 0.7, 56));
    const root = svg(width, height);
    for (const tick of [hi, (hi + lo) / 2, lo]) {
      root.appendChild(el("line", { x1: pad.l, x2: width - pad.r, y1: y(tick), y2: y(tick),
        class: "axis" }));
      root.appendChild(el("text", { x: pad.l - 4, y: y(tick) + 4, "text-anchor": "end" },
        short(tick)));
    }
    const every = Math.ceil(items.length / Math.max(1, Math.floor((width - pad.l) / 70)));
    items.forEach((d, i) => {
      const x = pad.l + i * slot + (slot - w) / 2;
      if (d.burn) {
        const burn = el("rect", { x, width: w, y: y(0), height: Math.abs(y(-d.burn) - y(0)),
          class: "bar-loss", "data-burn": d.key ?? d.label });
        burn.appendChild(el("title", {}, `${d.label}: burned ${d.burn}`));
        root.appendChild(burn);
      }
      const bar = el("rect", {
        x, width: w, y: y(Math.max(d.value, 0)),
        height: Math.max(1, Math.abs(y(d.value) - y(0))),
        class: d.value < 0 ? "bar-loss" : "bar-gain", "data-key": d.key ?? d.label,
        "data-value": d.raw === undefined ? d.value : d.raw,
      });
      bar.appendChild(el("title", {}, `${d.label}: ${d.value}`));
      root.appendChild(bar);
      if (i % every === 0) {
        const room = Math.max(4, Math.floor((slot * every) / 7));
        const label = d.label.length > room ? d.label.slice(0, room - 1) + "…" : d.label;
        root.appendChild(el("text", { x: x + w / 2, y: height - 10, "text-anchor": "middle" },
          label));
      }
    });
    container.replaceChildren(root);
  }

  // Cumulative depth as steps: bids to the left of the spread (highest price first), asks to the
  // right (lowest first); x is price, y is cumulative units.
  function depth(container, bids, asks, { height = 200 } = {}) {
    if (!bids.length && !asks.length) return empty(container, "The book is empty.");
    const width = widthOf(container, 600);
    const pad = { l: 36, r: 8, t: 10, b: 24 };
    const prices = [...bids, ...asks].map((p) => p.price);
    // A margin on both sides, so the deepest level of each side has a visible step.
    const lo = Math.min(...prices), hi = Math.max(...prices);
    const margin = (hi - lo) * 0.15 || hi * 0.1 || 1;
    const pmin = Math.max(0, lo - margin), pmax = hi + margin;
    const cmax = Math.max(1, ...bids.map((p) => p.cumulative), ...asks.map((p) => p.cumulative));
    const x = (p) => pad.l + ((p - pmin) / (pmax - pmin)) * (width - pad.l - pad.r);
    const y = (c) => pad.t + (1 - c / cmax) * (height - pad.t - pad.b);
    const root = svg(width, height);
    root.appendChild(el("line", { x1: pad.l, x2: width - pad.r, y1: y(0), y2: y(0),
      class: "axis" }));
    const side = (levels, cls, edge) => {
      if (!levels.length) return;
      let d = `M ${x(levels[0].price)} ${y(0)}`;
      let prev = 0;
      for (const lv of levels) {
        d += ` L ${x(lv.price)} ${y(prev)} L ${x(lv.price)} ${y(lv.cumulative)}`;
        prev = lv.cumulative;
      }
      d += ` L ${x(edge)} ${y(prev)} L ${x(edge)} ${y(0)} Z`;
      root.appendChild(el("path", { d, class: cls, "data-side": cls }));
    };
    side(bids, "bid", pmin);
    side(asks, "ask", pmax);
    for (const p of [pmin, (pmin + pmax) / 2, pmax]) {
      root.appendChild(el("text", { x: x(p), y: height - 6, "text-anchor": "middle" }, short(p)));
    }
    root.appendChild(el("text", { x: pad.l - 4, y: y(cmax) + 8, "text-anchor": "end" },
      short(cmax)));
    container.replaceChildren(root);
  }

  // One row per span from `start` to `end` (unix seconds) with its label, and a line at `now`.
  function timeline(container, spans, now) {
    if (!spans.length) return empty(container, "No open positions.");
    const width = widthOf(container, 800);
    const row = 22, pad = { l: Math.min(130, width * 0.35), r: 10, t: 18, b: 22 };
    const height = pad.t + pad.b + row * spans.length;
    const t0 = Math.min(now, ...spans.map((s) => s.start));
    const t1 = Math.max(now + 1, ...spans.map((s) => s.end));
    const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
    const root = svg(width, height);
    spans.forEach((s, i) => {
      const top = pad.t + i * row;
      const room = Math.floor((pad.l - 8) / 7); // characters that fit left of the bars
      const label = s.label.length > room ? s.label.slice(0, room - 1) + "…" : s.label;
      root.appendChild(el("text", { x: pad.l - 6, y: top + 15, "text-anchor": "end" }, label));
      const r = el("rect", { x: x(s.start), y: top + 4, height: row - 8, rx: 3, class: "span",
        width: Math.max(2, x(s.end) - x(s.start)), "data-key": s.label });
      const resolves = new Date(s.end * 1000).toISOString();
      r.appendChild(el("title", {}, `${s.label}: resolves ${resolves}`));
      root.appendChild(r);
    });
    root.appendChild(el("line", { x1: x(now), x2: x(now), y1: pad.t - 4, y2: height - pad.b,
      class: "now" }));
    root.appendChild(el("text", { x: x(now), y: pad.t - 6, "text-anchor": "middle" }, "now"));
    const day = (t) => new Date(t * 1000).toISOString().slice(5, 10);
    root.appendChild(el("text", { x: pad.l, y: height - 6 }, day(t0)));
    root.appendChild(el("text", { x: width - pad.r, y: height - 6, "text-anchor": "end" },
      day(t1)));
    container.replaceChildren(root);
  }

  return { bars, depth, timeline };
})();
