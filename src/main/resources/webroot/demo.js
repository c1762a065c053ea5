// The demo portal: signs in with a dev token, then shows what presence-client.js gives a portal.
// Plain DOM, no framework. Everything from other users is written with textContent.
(function () {
  'use strict';

  const $ = (selector, root = document) => root.querySelector(selector);
  const RANK = { online: 0, away: 1, offline: 2 };
  const STATUS_LABEL = { online: 'Online', away: 'Away', offline: 'Offline' };
  const ROSTER_TITLE = { client: 'Clients', tech: 'Techs' };

  let hub = null;
  let me = null; // { tenant, user, role, name, ttl }
  let idleTimeoutMs = null;
  const rosters = new Map(); // role -> { section, list, rows: Map(user -> li), records: Map(user -> record) }
  // The hub connection as the page shows it: the last status event, and why the last attempt failed.
  let connection = { status: 'closed', stale: false };
  let connectionProblem = null;
  let countdown = null;

  // ---- sign in / out ---------------------------------------------------------------------------

  async function mintToken(who) {
    const q = new URLSearchParams({ tenant: who.tenant, user: who.user, role: who.role });
    if (who.name) {
      q.set('name', who.name);
    }
    if (who.ttl) {
      q.set('ttl', who.ttl);
    }
    let res;
    try {
      res = await fetch(`dev/token?${q}`, { cache: 'no-store' });
    } catch (e) {
      // fetch() rejects with a bare "Failed to fetch" when the network or the hub is down.
      throw new Error(`the hub at ${location.host} cannot be reached (network down, or the hub is not running)`, { cause: e });
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok || typeof body.token !== 'string') {
      throw new Error(body.message || `the hub answered ${res.status} to /dev/token`);
    }
    return body.token;
  }

  async function signIn(who) {
    const error = $('#sign-in-error');
    error.hidden = true;
    try {
      await mintToken(who); // fail here, on the form, rather than in a reconnect loop
    } catch (e) {
      error.textContent = `Cannot sign in: ${e.message}`;
      error.hidden = false;
      return;
    }
    me = who;
    const q = new URLSearchParams({ tenant: who.tenant, user: who.user, role: who.role });
    if (who.name) {
      q.set('name', who.name);
    }
    if (who.ttl) {
      q.set('ttl', who.ttl);
    }
    history.replaceState(null, '', `?${q}`);
    document.title = `${who.name || who.user} · presence-hub demo`;
    showPortal();

    hub = PresenceClient.connect({
      url: new URL('presence', location.href).href,
      token: () => mintToken(who), // a fresh token at every (re)connect and before expiry
      platform: 'web',
    });
    hub.on('status', renderConnection);
    hub.on('welcome', onWelcome);
    hub.on('presence', onPresence);
    hub.on('sync', onSync);
    hub.on('chat.request', (frame) => notify(frame));
    hub.on('chat.message', (frame) => notify(frame));
    hub.on('error', onError);

    const watched = who.role === 'tech' ? ['client', 'tech'] : ['tech'];
    for (const role of watched) {
      addRoster(role);
      hub.subscribeRoster(role).catch((e) => toast(`Cannot watch the ${role}s: ${e.message}`, 'error'));
    }
  }

  function signOut() {
    if (hub) {
      hub.close();
      hub = null;
    }
    me = null;
    connectionProblem = null;
    rosters.clear();
    $('#rosters').replaceChildren();
    $('#notifications').replaceChildren();
    renderEmptyNotifications();
    history.replaceState(null, '', location.pathname);
    document.title = 'presence-hub · demo portal';
    $('#portal').hidden = true;
    $('#sign-out').hidden = true;
    $('#sign-in').hidden = false;
    renderConnection({ status: 'closed' });
  }

  function showPortal() {
    $('#sign-in').hidden = true;
    $('#portal').hidden = false;
    $('#sign-out').hidden = false;
    const display = me.name || me.user;
    $('#me-avatar').textContent = display.slice(0, 1).toUpperCase();
    $('#me-name').textContent = display;
    $('#me-meta').textContent = `${me.user} · ${me.role} · tenant ${me.tenant}`;
    $('#away-control').hidden = me.role !== 'tech';
    $('#away-toggle').checked = false;
    renderMe(null);
  }

  // ---- connection and own status ---------------------------------------------------------------

  function renderConnection(event) {
    connection = { ...event, at: Date.now() };
    if (event.status === 'open') {
      connectionProblem = null;
    }
    const el = $('#connection');
    el.dataset.status = event.status;
    let text = 'not connected';
    if (event.status === 'open') {
      text = event.stale ? 'connected, updating…' : 'connected';
    } else if (event.status === 'connecting') {
      text = 'connecting…';
    } else if (event.retryInMs !== undefined && event.retryInMs !== null) {
      text = `reconnecting in ${Math.max(1, Math.round(event.retryInMs / 1000))} s`;
    } else if (event.final && event.code === 4401) {
      text = 'signed out by the hub (token refused)';
    }
    $('#connection-text').textContent = text;
    renderStale();
  }

  /** The hub answered every re-subscription (or the first one): the view is whole again. */
  function onSync(event) {
    connection = { ...connection, stale: event.stale };
    const roster = event.roster && rosters.get(event.roster);
    if (roster) {
      // The snapshot replaced the client's view of this roster: render exactly that.
      roster.records.clear();
      for (const record of event.records) {
        roster.records.set(record.user, record);
      }
      for (const user of [...roster.rows.keys()]) {
        if (!roster.records.has(user)) {
          roster.rows.delete(user);
        }
      }
      renderRoster(roster);
    }
    if (event.stale === false) {
      $('#connection-text').textContent = 'connected';
    }
    renderStale();
  }

  /** Errors about the connection itself go to the banner (the page retries by itself); the others are toasts. */
  function onError(e) {
    if ((e.code === 'token' || e.code === 'sockjs') && connection.status !== 'open') {
      connectionProblem = e.message;
      renderStale();
      return;
    }
    toast(e.message || String(e), 'error');
  }

  /** True while what the page shows may be out of date: no session, or not re-synced yet. */
  function isStale() {
    return connection.status !== 'open' || connection.stale === true;
  }

  /**
   * Greys the roster and own status and disables every chat button while the view is stale, with
   * a banner that says what happened and what the person can do.
   */
  function renderStale() {
    const stale = hub !== null && isStale() && (connection.stale || connection.status === 'closed');
    $('#portal').dataset.stale = String(stale);
    const banner = $('#connection-banner');
    clearInterval(countdown);
    countdown = null;
    banner.hidden = !stale;
    for (const roster of rosters.values()) {
      for (const [user, row] of roster.rows) {
        renderButton(row, roster.records.get(user));
      }
    }
    for (const accept of document.querySelectorAll('.notification .accept')) {
      if (accept.textContent !== 'Accepted') {
        accept.disabled = stale;
      }
    }
    if (!stale) {
      return;
    }
    const reconnect = $('#reconnect-now');
    const problem = connectionProblem ? ` Last attempt: ${connectionProblem}.` : '';
    if (connection.status === 'open') {
      $('#banner-title').textContent = 'Reconnected.';
      $('#banner-text').textContent = 'Updating who is online…';
      reconnect.hidden = true;
    } else if (connection.final && connection.code === 4401) {
      $('#banner-title').textContent = 'Signed out by the hub.';
      $('#banner-text').textContent = `It refused your sign-in token. Sign out and sign in again, or try once more.${problem}`;
      reconnect.hidden = false;
    } else if (connection.status === 'connecting') {
      $('#banner-title').textContent = 'Connection to the hub lost.';
      $('#banner-text').textContent = `Reconnecting now… Presence shown here may be out of date and chats cannot be started until then.${problem}`;
      reconnect.hidden = true;
    } else {
      const retryAt = connection.retryInMs !== undefined && connection.retryInMs !== null ? connection.at + connection.retryInMs : null;
      const render = () => {
        const seconds = retryAt === null ? null : Math.max(1, Math.ceil((retryAt - Date.now()) / 1000));
        const wait = seconds === null ? '' : ` Next try in ${seconds} s.`;
        if (seconds !== null) {
          $('#connection-text').textContent = `reconnecting in ${seconds} s`;
        }
        $('#banner-title').textContent = 'Connection to the hub lost.';
        $('#banner-text').textContent = 'Presence shown here may be out of date and chats cannot be started. '
          + `Check your network connection.${wait}${problem}`;
      };
      render();
      if (retryAt !== null) {
        countdown = setInterval(render, 1000);
      }
      reconnect.hidden = false;
    }
  }

  function onWelcome(welcome) {
    idleTimeoutMs = welcome.idleTimeoutMs;
    const idle = formatDuration(idleTimeoutMs);
    $('#me-note').textContent = me.role === 'tech'
      ? `You turn away after ${idle} without mouse or keyboard here. Away stays on until you switch it off.`
      : `Your status is automatic: away after ${idle} without mouse or keyboard here.`;
  }

  function renderMe(record) {
    const card = $('#me');
    if (!record) {
      card.dataset.status = 'offline';
      card.dataset.reason = 'disconnected';
      $('#me-status-text').textContent = 'Connecting…';
      $('#me-since').textContent = '';
      return;
    }
    card.dataset.status = record.status;
    card.dataset.reason = record.reason;
    $('#me-status-text').textContent = `${STATUS_LABEL[record.status] || record.status} · ${record.reason}`;
    $('#me-since').textContent = typeof record.since === 'number' ? `since ${new Date(record.since).toLocaleTimeString()}` : '';
    const toggle = $('#away-toggle');
    if (!toggle.disabled) {
      toggle.checked = record.status === 'away' && record.reason === 'preferred';
    }
  }

  async function onAwayToggle(event) {
    const toggle = event.target;
    const status = toggle.checked ? 'away' : 'online';
    toggle.disabled = true;
    try {
      await hub.setPresence(status);
    } catch (e) {
      toggle.checked = !toggle.checked;
      toast(`Cannot set ${status}: ${e.message}`, 'error');
    } finally {
      toggle.disabled = false;
    }
  }

  // ---- rosters -----------------------------------------------------------------------------------

  function addRoster(role) {
    const section = $('#roster-template').content.firstElementChild.cloneNode(true);
    section.id = `roster-${role}`;
    section.dataset.role = role;
    $('.roster-title', section).textContent = ROSTER_TITLE[role];
    $('.empty', section).textContent = `No ${role} is connected yet.`;
    $('#rosters').append(section);
    rosters.set(role, { section, list: $('.people', section), rows: new Map(), records: new Map() });
  }

  function onPresence(record) {
    if (me && record.user === me.user) {
      renderMe(record);
    }
    const roster = rosters.get(record.role);
    if (!roster) {
      return;
    }
    roster.records.set(record.user, record);
    renderRoster(roster);
  }

  function rowFor(roster, record) {
    let row = roster.rows.get(record.user);
    if (!row) {
      row = $('#person-template').content.firstElementChild.cloneNode(true);
      row.dataset.user = record.user;
      $('.user-id', row).textContent = record.user;
      const self = me && record.user === me.user;
      $('.you', row).hidden = !self;
      const button = $('.start-chat', row);
      button.dataset.user = record.user;
      button.hidden = self;
      button.addEventListener('click', () => startChat(record.user, button));
      roster.rows.set(record.user, row);
    }
    row.dataset.status = record.status;
    row.dataset.reason = record.reason;
    $('.state', row).textContent = describe(record);
    renderButton(row, record);
    return row;
  }

  function renderButton(row, record) {
    const button = $('.start-chat', row);
    if (!record) {
      return;
    }
    if (isStale()) {
      button.disabled = true;
      button.title = 'Not connected to the hub: chats can be started again once the page has reconnected';
      return;
    }
    const reachable = canStartChat(record);
    button.disabled = !reachable;
    button.title = reachable ? `Offer ${record.user} a chat`
      : record.role === 'client' ? 'A client can be offered a chat only while online' : `${record.user} is offline`;
  }

  function renderRoster(roster) {
    const ordered = [...roster.records.values()].sort((a, b) =>
      (RANK[a.status] - RANK[b.status]) || a.user.localeCompare(b.user));
    roster.list.replaceChildren(...ordered.map((r) => rowFor(roster, r)));
    const online = ordered.filter((r) => r.status !== 'offline').length;
    $('.count', roster.section).textContent = ordered.length ? `· ${online} connected` : '';
    $('.empty', roster.section).hidden = ordered.length > 0;
  }

  /** The reachability table for chat.request (docs/protocol.md §2). */
  function canStartChat(record) {
    if (record.role === 'client') {
      return record.status === 'online';
    }
    return record.status === 'online' || record.status === 'away';
  }

  async function startChat(user, button) {
    button.disabled = true;
    const from = me.name || me.user;
    const text = me.role === 'tech'
      ? `Hi ${user}, ${from} from the help desk here. Can I help?`
      : `Hi, ${from} here. Could you help me?`;
    try {
      const ack = await hub.pushChat(user, 'chat.request', { text, chat: `${me.user}-${user}-${Date.now()}` });
      toast(`Chat request sent to ${user} (${ack.delivered} ${ack.delivered === 1 ? 'tab' : 'tabs'})`);
    } catch (e) {
      toast(e.code === 'not_reachable' ? `${user} is not reachable right now (${e.status})` : `Chat request failed: ${e.message}`,
        'error');
    } finally {
      // The record (or the connection) may have changed meanwhile: render the button afresh.
      const record = [...rosters.values()].map((r) => r.records.get(user)).find(Boolean);
      if (record) {
        renderButton(button.closest('.person'), record);
      } else {
        button.disabled = true;
      }
    }
  }

  // ---- notifications -----------------------------------------------------------------------------

  function notify(frame) {
    const item = $('#notification-template').content.firstElementChild.cloneNode(true);
    const from = frame.from || {};
    const who = from.name || from.id || 'someone';
    item.dataset.kind = frame.type;
    item.dataset.from = from.id || '';
    $('.from', item).textContent = who;
    $('.what', item).textContent = frame.type === 'chat.request' ? 'wants to chat' : 'sent a message';
    $('.time', item).textContent = new Date().toLocaleTimeString();
    const text = frame.payload && typeof frame.payload.text === 'string' ? frame.payload.text : JSON.stringify(frame.payload || {});
    $('.notification-body', item).textContent = text;
    $('.dismiss', item).addEventListener('click', () => {
      item.remove();
      renderEmptyNotifications();
    });
    const accept = $('.accept', item);
    accept.disabled = isStale();
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        await hub.pushChat(from.id, 'chat.message', { text: `${me.name || me.user} accepted your chat request.` });
        accept.textContent = 'Accepted';
      } catch (e) {
        accept.disabled = false;
        toast(`Cannot answer ${who}: ${e.message}`, 'error');
      }
    });
    $('#notifications').prepend(item);
    renderEmptyNotifications();
    toast(frame.type === 'chat.request' ? `${who} wants to chat` : `New message from ${who}`);
  }

  function renderEmptyNotifications() {
    $('#notifications-empty').hidden = $('#notifications').children.length > 0;
  }

  function toast(message, kind) {
    const el = document.createElement('div');
    el.className = `toast${kind ? ` ${kind}` : ''}`;
    el.textContent = message;
    $('#toasts').append(el);
    setTimeout(() => el.remove(), 5000);
  }

  // ---- formatting --------------------------------------------------------------------------------

  function describe(record) {
    const status = STATUS_LABEL[record.status] || record.status;
    const since = typeof record.since === 'number' ? ` · since ${new Date(record.since).toLocaleTimeString()}` : '';
    return `${status} · ${record.reason}${since}`;
  }

  function formatDuration(ms) {
    if (ms < 60000) {
      return `${Math.round(ms / 100) / 10} s`;
    }
    return `${Math.round(ms / 6000) / 10} min`;
  }

  // ---- start -------------------------------------------------------------------------------------

  function who(form) {
    const data = new FormData(form);
    return {
      tenant: String(data.get('tenant') || '').trim(),
      user: String(data.get('user') || '').trim(),
      role: String(data.get('role') || 'tech'),
      name: String(data.get('name') || '').trim(),
    };
  }

  $('#sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(who(event.target));
  });
  for (const chip of document.querySelectorAll('.chip')) {
    chip.addEventListener('click', () => {
      const form = $('#sign-in-form');
      form.elements.user.value = chip.dataset.user;
      form.elements.name.value = chip.dataset.name;
      form.elements.role.value = chip.dataset.role;
      signIn(who(form));
    });
  }
  $('#sign-out').addEventListener('click', signOut);
  $('#reconnect-now').addEventListener('click', () => {
    if (hub) {
      connectionProblem = null;
      hub.reconnect();
    }
  });
  $('#away-toggle').addEventListener('change', onAwayToggle);
  renderEmptyNotifications();

  // ?tenant=acme&user=cleo&role=client[&name=Cleo][&ttl=seconds] signs in at once.
  const params = new URLSearchParams(location.search);
  if (params.get('user') && params.get('role')) {
    signIn({
      tenant: params.get('tenant') || 'acme',
      user: params.get('user'),
      role: params.get('role'),
      name: params.get('name') || '',
      ttl: params.get('ttl') || '',
    });
  }

  // For a look from the console (and the browser tests).
  window.demo = {
    get hub() {
      return hub;
    },
  };
})();
