// The blockhealthd status page (docs/operations.md, "The status page").
//
// Reads the daemon's JSON API (docs/http-api.md) by URLs relative to this
// page, so that it also works behind a proxy that serves the daemon under a
// path prefix. It only reads: no token is needed.
//
// Updates: one long poll at a time on GET /v1/events?after=&wait= (the watch
// API; 25 s or the page's own ?wait=). When it answers with transitions, only
// the blocks they name are read again. When it answers empty (its wait ran
// out: nothing moved), and at least once a wait while transitions keep
// coming, the block list is
// read and only the blocks whose state_index moved are read again (a reason,
// a hold or a quarantine changes the index without a transition), with the
// holds and the plugins, which have no watch of their own. A failed request
// starts everything over after a growing pause (1 s to 30 s).
//
// Every text from the daemon (ids, reasons, evidence: they come from
// configurations, pushes and plugins) goes into the page as text nodes or
// attribute values, never as HTML.
'use strict';

(function () {
  const API_ROOT = new URL('../', document.baseURI);
  const WAIT = longPollWait();
  const RECONCILE_MS = WAIT.ms;
  const RECENT = 50;       // transitions kept on the page
  const EVENT_PAGE = 200;  // transitions asked for per watch answer
  const PARALLEL = 4;      // block reads at once (the long poll is not open meanwhile)
  const STATUSES = ['ok', 'degraded', 'unknown', 'unhealthy'];
  const SYMBOL = { ok: '\u2713', degraded: '\u25B2', unknown: '?', unhealthy: '\u2715' };

  const state = {
    order: [],            // block ids, in the daemon's order
    blocks: new Map(),    // id -> { summary, detail, node }
    events: [],           // newest first, at most RECENT
    cursor: null,         // the /v1/events cursor; null: load everything first
    holds: null,
    plugins: null,
    reconciledAt: 0,
    open: new Set(),      // keys of <details> the reader opened
  };

  // How long each long poll waits: 25 s, or the page's ?wait= (1s to 5m,
  // e.g. ?wait=10s behind a proxy that cuts idle requests sooner).
  function longPollWait() {
    const text = new URLSearchParams(location.search).get('wait') || '';
    const m = /^([0-9]{1,6})(ms|s|m)$/.exec(text);
    const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60000 }[m[2]] : 0;
    if (ms < 1000 || ms > 300000) return { text: '25s', ms: 25000 };
    return { text: text, ms: ms };
  }

  // ---- fetching -------------------------------------------------------

  async function getJSON(path) {
    const res = await fetch(new URL(path, API_ROOT), {
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) {
      let message = res.status + ' ' + res.statusText;
      try {
        const body = await res.json();
        if (body && typeof body.message === 'string') message += ': ' + body.message;
      } catch (e) { /* not JSON: the status says enough */ }
      const error = new Error(message);
      error.status = res.status;
      throw error;
    }
    return res.json();
  }

  function blockPath(id) { return 'v1/blocks/' + encodeURIComponent(id); }

  // Reads the views of `ids`, PARALLEL at a time; a block gone meanwhile
  // (404) is dropped from the page.
  async function readBlocks(ids) {
    const queue = Array.from(ids);
    async function worker() {
      while (queue.length) {
        const id = queue.shift();
        try {
          const detail = await getJSON(blockPath(id));
          const entry = state.blocks.get(id) || { summary: null, detail: null, node: null };
          entry.detail = detail;
          state.blocks.set(id, entry);
          renderBlock(id);
        } catch (e) {
          if (e.status !== 404) throw e;
          removeBlock(id);
        }
      }
    }
    const workers = [];
    for (let i = 0; i < Math.min(PARALLEL, queue.length); i++) workers.push(worker());
    await Promise.all(workers);
  }

  // Reads the block list, holds and plugins; reads again every block whose
  // state_index moved (all of them when `all`).
  async function reconcile(all) {
    const [list, holds, plugins] = await Promise.all([
      getJSON('v1/blocks'), getJSON('v1/silences'), getJSON('v1/plugins')]);
    const ids = [];
    const stale = [];
    for (const summary of list.blocks) {
      const id = summary.block_id;
      ids.push(id);
      const entry = state.blocks.get(id) || { summary: null, detail: null, node: null };
      entry.summary = summary;
      state.blocks.set(id, entry);
      if (all || !entry.detail || entry.detail.state_index !== summary.state_index) stale.push(id);
    }
    const keep = new Set(ids);
    for (const id of Array.from(state.blocks.keys())) if (!keep.has(id)) removeBlock(id);
    state.order = ids;
    state.holds = holds;
    state.plugins = plugins;
    await readBlocks(stale);
    state.reconciledAt = Date.now();
    renderBlockList();
    renderHolds();
    renderPlugins();
    renderOverview();
  }

  function addEvents(events) {
    if (!events.length) return;
    const seen = new Set(state.events.map((e) => e.seq));
    for (const e of events) if (!seen.has(e.seq)) state.events.push(e);
    state.events.sort((a, b) => b.seq - a.seq);
    state.events.length = Math.min(state.events.length, RECENT);
    renderEvents();
  }

  async function loadAll() {
    // The cursor first: a transition after it, even one while the rest is
    // read, comes back from the watch.
    const now = await getJSON('v1/events?wait=0s');
    const cursor = now.next;
    state.events = [];
    if (cursor > 0) {
      const from = Math.max(0, cursor - RECENT);
      const recent = await getJSON('v1/events?wait=0s&limit=' + RECENT + '&after=' + from);
      addEvents(recent.events);
    }
    renderEvents();
    await reconcile(true);
    state.cursor = cursor;
  }

  async function watchOnce() {
    const page = await getJSON('v1/events?wait=' + WAIT.text + '&limit=' + EVENT_PAGE +
                               '&after=' + state.cursor);
    state.cursor = page.next;
    addEvents(page.events);
    const changed = new Set(page.events.map((e) => e.block_id));
    const unknownBlock = Array.from(changed).some((id) => !state.blocks.has(id));
    if (page.complete === false || unknownBlock || page.events.length === 0 ||
        Date.now() - state.reconciledAt >= RECONCILE_MS) {
      await reconcile(page.complete === false);
    } else if (changed.size) {
      await readBlocks(changed);
      renderOverview();
    }
  }

  async function run() {
    let pause = 1000;
    for (;;) {
      try {
        if (state.cursor === null) await loadAll();
        setConnection('live', 'live: watching for changes');
        pause = 1000;
        for (;;) await watchOnce();
      } catch (e) {
        state.cursor = null;  // something may have been missed: start over
        setConnection('down', 'cannot reach the daemon (' + e.message + '); retrying in ' +
                      Math.round(pause / 1000) + ' s');
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 30000);
      }
    }
  }

  // ---- building the page ----------------------------------------------

  // el('p', {class: 'x', 'data-k': v}, child, ...): children that are not
  // nodes become text nodes. Attribute names are always literals of this
  // file; values may come from the daemon.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [name, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        node.setAttribute(name, value === true ? '' : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function statusOf(value) { return STATUSES.includes(value) ? value : 'unknown'; }

  function badge(status) {
    const s = statusOf(status);
    return el('span', { class: 'badge s-' + s, 'data-status': s }, SYMBOL[s] + ' ' + s);
  }

  function two(n) { return String(n).padStart(2, '0'); }
  function absolute(date) {
    return date.getFullYear() + '-' + two(date.getMonth() + 1) + '-' + two(date.getDate()) + ' ' +
      two(date.getHours()) + ':' + two(date.getMinutes()) + ':' + two(date.getSeconds());
  }
  function relative(ms) {
    const future = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    let text;
    if (s < 60) text = s + 's';
    else if (s < 3600) text = Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    else if (s < 86400) text = Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
    else text = Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
    return future ? 'in ' + text : text + ' ago';
  }
  // A time as "<relative> (<absolute local time>)"; the relative part is
  // kept current by tick(). The daemon's RFC 3339 text is the tooltip.
  function when(iso) {
    if (!iso) return el('span', { class: 'muted' }, 'never');
    const date = new Date(iso);
    if (isNaN(date.getTime())) return el('span', {}, iso);
    return el('span', { class: 'when' },
      el('time', { datetime: iso, title: iso, 'data-relative': '' }, relative(Date.now() - date)),
      ' (' + absolute(date) + ')');
  }
  function tick() {
    const now = Date.now();
    for (const t of document.querySelectorAll('time[data-relative]')) {
      t.textContent = relative(now - new Date(t.getAttribute('datetime')));
    }
  }

  function evidenceText(e) {
    if (!e || typeof e !== 'object') return null;
    return 'evidence: ' + e.metric + ' = ' + e.observed + ' (limit ' + e.limit + ')';
  }

  // A <details> whose open state survives re-rendering.
  function details(key, summaryText, body) {
    const d = el('details', { open: state.open.has(key) }, el('summary', {}, summaryText), body);
    d.addEventListener('toggle', () => {
      if (d.open) state.open.add(key); else state.open.delete(key);
    });
    return d;
  }

  function renderInstance(blockId, inst) {
    const status = statusOf(inst.status);
    const tags = [];
    if (inst.maintenance) tags.push(el('span', { class: 'tag' }, 'maintenance'));
    if (inst.silence) tags.push(el('span', { class: 'tag' }, 'silenced'));
    if (inst.flapping) tags.push(el('span', { class: 'tag' }, 'flapping ' + Math.round(inst.flap_percent) + '%'));
    if (inst.source === 'pushed') tags.push(el('span', { class: 'tag' }, 'registered'));
    if (inst.counts_for_quorum === false) tags.push(el('span', { class: 'tag' }, 'not counted'));
    const body = [el('p', {}, 'since ', when(inst.since))];
    if (inst.reason) body.push(el('p', { class: 'reason' }, inst.reason));
    const ev = evidenceText(inst.evidence);
    if (ev) body.push(el('p', { class: 'evidence mono' }, ev));
    if (inst.maintenance) {
      body.push(el('p', { class: 'muted' }, 'maintenance: ' + inst.maintenance.reason + ', until ',
                   when(inst.maintenance.until)));
    }
    if (inst.silence) {
      body.push(el('p', { class: 'muted' }, 'silenced: ' + inst.silence.reason + ', until ',
                   when(inst.silence.until)));
    }
    const failing = (inst.sources || []).filter((s) => !s.ok);
    for (const s of failing) {
      body.push(el('p', { class: 'muted' }, s.source + ' ' + s.target + ': ' + s.message +
                   ' (last success ', when(s.last_success), ')'));
    }
    const policies = inst.policies || [];
    if (policies.length) {
      body.push(details('policies\u0000' + blockId + '\u0000' + inst.instance_id,
        'policies (' + policies.length + ')',
        el('ul', { class: 'sub' }, policies.map((p) => el('li', {},
          el('span', { class: 'mono' }, p.id), ' ', badge(p.status),
          p.raw_status !== p.status ? ' latest ' + p.raw_status + ' \u00d7' + p.streak : '',
          p.reason ? el('div', { class: 'reason' }, p.reason) : null,
          evidenceText(p.evidence) ? el('div', { class: 'evidence mono' }, evidenceText(p.evidence)) : null)))));
    }
    return el('li', { class: 'instance', 'data-instance': inst.instance_id, 'data-status': status },
      el('div', { class: 'instance-head' }, el('strong', { class: 'mono' }, inst.instance_id),
         badge(status), tags),
      el('div', {}, body));
  }

  function renderBlock(id) {
    const entry = state.blocks.get(id);
    if (!entry) return;
    const view = entry.detail || entry.summary;
    if (!view) return;
    const status = statusOf(view.status);
    const head = el('div', { class: 'block-head' }, el('h3', { class: 'mono' }, id), badge(status),
      view.paused ? el('span', { class: 'tag' }, 'paused') : null,
      view.source === 'api' ? el('span', { class: 'tag' }, 'defined over HTTP') : null);
    const parts = [head];
    if (entry.detail) {
      const d = entry.detail;
      const instances = d.instances || [];
      const healthy = instances.filter((i) => i.healthy).length;
      const q = d.quorum || {};
      parts.push(el('p', { class: 'block-meta' },
        healthy + ' of ' + instances.length + ' instances healthy',
        q.min_healthy_configured ? ' \u00b7 min_healthy ' + q.min_healthy + ' (' +
          (d.quorum_ok ? 'quorum met' : 'quorum NOT met') + ')' : '',
        ' \u00b7 AIOS: ' + (d.healthy ? 'healthy' : 'not healthy'),
        ' \u00b7 evaluated ', when(d.evaluated_at)));
      parts.push(instances.length
        ? el('ul', { class: 'instances' }, instances.map((i) => renderInstance(id, i)))
        : el('p', { class: 'empty' }, 'no instances'));
      const policies = d.policies || [];
      if (policies.length) {
        parts.push(el('div', { class: 'policies' }, policies.map((p) => el('span', {
          class: 'policy' + (p.quarantined ? ' quarantined' : ''), title: p.use + ' ' + p.plugin_version },
          el('span', { class: 'mono' }, p.id),
          p.quarantined ? [' quarantined until ', when(p.quarantine && p.quarantine.until),
                           p.quarantine && p.quarantine.reason ? ': ' + p.quarantine.reason : '']
                        : ' \u00b7 ' + p.calls + ' calls, ' + p.errors + ' errors, ' + p.timeouts + ' timeouts'))));
      }
    } else {
      parts.push(el('p', { class: 'block-meta' }, view.healthy_instances + ' of ' + view.instances +
                    ' instances healthy'));
    }
    const node = el('section', { class: 'block', 'data-block': id, 'data-status': status }, parts);
    if (entry.node && entry.node.parentNode) entry.node.replaceWith(node);
    entry.node = node;
  }

  function removeBlock(id) {
    const entry = state.blocks.get(id);
    if (entry && entry.node) entry.node.remove();
    state.blocks.delete(id);
    state.order = state.order.filter((b) => b !== id);
  }

  function renderBlockList() {
    const box = document.getElementById('blocks');
    if (!state.order.length) {
      box.replaceChildren(el('p', { class: 'empty' }, 'no blocks configured'));
      return;
    }
    const nodes = [];
    for (const id of state.order) {
      const entry = state.blocks.get(id);
      if (!entry) continue;
      if (!entry.node) renderBlock(id);
      if (entry.node) nodes.push(entry.node);
    }
    box.replaceChildren(...nodes);
  }

  function renderOverview() {
    const blocks = { ok: 0, degraded: 0, unknown: 0, unhealthy: 0 };
    const instances = { ok: 0, degraded: 0, unknown: 0, unhealthy: 0 };
    for (const id of state.order) {
      const entry = state.blocks.get(id);
      if (!entry) continue;
      const view = entry.detail || entry.summary;
      blocks[statusOf(view && view.status)]++;
      for (const i of (entry.detail && entry.detail.instances) || []) instances[statusOf(i.status)]++;
    }
    const quarantined = state.plugins ? state.plugins.policies.filter((p) => p.quarantined).length : 0;
    const tiles = [el('div', { class: 'tile' }, el('b', {}, String(state.order.length)), 'blocks')];
    for (const s of STATUSES) {
      if (blocks[s]) tiles.push(el('div', { class: 'tile' }, el('b', {}, String(blocks[s])), badge(s), ' blocks'));
    }
    for (const s of STATUSES) {
      if (instances[s]) tiles.push(el('div', { class: 'tile' }, el('b', {}, String(instances[s])), badge(s), ' instances'));
    }
    if (quarantined) tiles.push(el('div', { class: 'tile' }, el('b', {}, String(quarantined)), 'quarantined policies'));
    tiles.push(el('div', { class: 'tile muted' }, 'updated ' + absolute(new Date())));
    document.getElementById('overview').replaceChildren(...tiles);
  }

  function renderEvents() {
    const list = document.getElementById('events');
    if (!state.events.length) {
      list.replaceChildren(el('li', { class: 'empty' }, 'no transitions yet'));
      return;
    }
    list.replaceChildren(...state.events.map((e) => el('li', { 'data-seq': e.seq },
      el('div', {}, el('span', { class: 'mono' }, e.block_id + ' / ' + e.instance_id), ' ',
         badge(e.from), el('span', { class: 'arrow', 'aria-label': 'to' }, '\u2192'), badge(e.to)),
      el('div', {}, when(e.time)),
      e.reason ? el('div', { class: 'reason' }, e.reason) : null)));
  }

  function renderHolds() {
    const box = document.getElementById('holds');
    const h = state.holds || { maintenance: [], silences: [] };
    const parts = [];
    parts.push(el('h3', {}, 'Maintenance (' + h.maintenance.length + ')'));
    parts.push(h.maintenance.length
      ? el('ul', { class: 'list' }, h.maintenance.map((m) => el('li', {},
          el('div', { class: 'mono' }, m.block_id + ' / ' + m.instance_id),
          el('div', { class: 'reason' }, m.reason),
          el('div', {}, 'until ', when(m.until), ', since ', when(m.since)))))
      : el('p', { class: 'empty' }, 'no instance is in maintenance'));
    parts.push(el('h3', {}, 'Silences (' + h.silences.length + ')'));
    parts.push(h.silences.length
      ? el('ul', { class: 'list' }, h.silences.map((s) => el('li', {},
          el('div', { class: 'mono' }, s.block_id + (s.instance_id ? ' / ' + s.instance_id : ' (whole block)')),
          el('div', { class: 'reason' }, s.reason),
          el('div', {}, 'until ', when(s.until), ' \u00b7 ', el('span', { class: 'mono muted' }, s.id)))))
      : el('p', { class: 'empty' }, 'no silences'));
    if (h.next) parts.push(el('p', { class: 'muted' }, 'more holds than shown: see /v1/silences'));
    box.replaceChildren(...parts);
  }

  function renderPlugins() {
    const box = document.getElementById('plugins');
    const p = state.plugins || { plugins: [], refused: [], policies: [] };
    const quarantined = p.policies.filter((q) => q.quarantined);
    const parts = [];
    parts.push(el('h3', {}, 'Quarantined policies (' + quarantined.length + ')'));
    parts.push(quarantined.length
      ? el('ul', { class: 'list' }, quarantined.map((q) => el('li', {},
          el('div', { class: 'mono' }, q.block_id + ' / ' + q.id + ' (' + q.use + ')'),
          q.quarantine ? el('div', {}, 'until ', when(q.quarantine.until)) : null,
          q.quarantine && q.quarantine.reason ? el('div', { class: 'reason' }, q.quarantine.reason) : null)))
      : el('p', { class: 'empty' }, 'none'));
    parts.push(el('h3', {}, 'Loaded (' + p.plugins.length + ')'));
    parts.push(el('ul', { class: 'list' }, p.plugins.map((x) => el('li', {},
      el('strong', { class: 'mono' }, x.name), ' ' + x.version + ' \u00b7 ABI ' + x.abi,
      x.description ? el('div', {}, x.description) : null,
      el('div', { class: 'mono muted' }, x.path)))));
    if (p.refused.length) {
      parts.push(el('h3', {}, 'Refused files (' + p.refused.length + ')'));
      parts.push(el('ul', { class: 'list' }, p.refused.map((r) => el('li', {},
        el('div', { class: 'mono' }, r.path), el('div', { class: 'reason' }, r.error)))));
    }
    box.replaceChildren(...parts);
  }

  function setConnection(kind, text) {
    const c = document.getElementById('connection');
    c.className = 'connection ' + kind;
    c.textContent = text;
  }

  setInterval(tick, 1000);
  run();
})();
