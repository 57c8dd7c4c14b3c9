// Live updates over /ws/live/: one socket for whatever topics the page's widgets watch.
// Contract: subscribe first, then load state over HTTP, then apply events (whole state each).
// The state lives here, changed only by the rules below; widgets render what they are handed.
// When the socket drops it says so quietly and reconnects with backoff, then refetches.
// The page's ratings go over the same socket when it is open (request), else over HTTP.
import { requestJson, siteUrl, uuid } from "./util.js";

// Channels routes have no names to reverse (curation/routing.py): the one address not on the page.
const SOCKET_PATH = "/ws/live/";
const PING_MS = 25000;
const MAX_DELAY_MS = 30000;
// A request the socket has not answered in this long is sent over HTTP instead.
const ANSWER_MS = 5000;
// As many tracks as the server's "new" list holds (curation/selectors.LIVE_LIST_LENGTH); the
// contract test (tests/curation/test_contract.py) fails if the two differ.
export const NEW_LENGTH = 10;

// --- the state and the rules that change it -------------------------------------------------
// Shaped as GET /api/v1/live/ answers: {tracks: {<id>: rating}, top: [...], new: [...]}, for
// the topics watched. A state is never changed in place: a part that is the same object as
// before has not changed, and nobody is told.

export function emptyState() {
  return { tracks: {} };
}

// The topic an event belongs to (null for frames that are not events).
export function topicOf(event) {
  if (event.type === "rating.updated") return `track:${event.track}`;
  if (event.type === "top.updated") return "top";
  if (event.type === "track.ready") return "new";
  return null;
}

export function partOf(state, topic) {
  if (topic === "top" || topic === "new") return state[topic];
  return state.tracks[topic.slice("track:".length)];
}

function withPart(state, topic, value) {
  if (topic === "top" || topic === "new") return { ...state, [topic]: value };
  return { ...state, tracks: { ...state.tracks, [topic.slice("track:".length)]: value } };
}

// A state for one topic from elsewhere (the HTTP answer, the page's own markup or request): a
// list replaces the one held; a track's figures carry a version, and no newer one changes nothing.
export function withFetched(state, topic, value) {
  if (topic === "top" || topic === "new") return withPart(state, topic, value);
  const held = partOf(state, topic);
  return held && value.version <= held.version ? state : withPart(state, topic, value);
}

// An event: the figures and the top list come whole, as fetched; a published track goes first
// in "new", once, which keeps its NEW_LENGTH newest.
export function withEvent(state, event) {
  const topic = topicOf(event);
  if (topic === "top") return withFetched(state, topic, event.tracks);
  if (topic === "new") {
    const held = state.new || [];
    if (held.some((track) => track.id === event.track.id)) return state;
    return withPart(state, topic, [event.track, ...held].slice(0, NEW_LENGTH));
  }
  if (topic) return withFetched(state, topic, event.rating);
  return state;
}

// Only the parts of the topics still watched.
function onlyTopics(state, topics) {
  let kept = emptyState();
  for (const topic of topics) {
    const part = partOf(state, topic);
    if (part !== undefined) kept = withPart(kept, topic, part);
  }
  return kept;
}

// --- the socket -----------------------------------------------------------------------------

export class LiveClient {
  constructor(statusElement) {
    this.status = statusElement;
    this.watchers = new Set(); // {topics: Set, handler(value, change)}
    this.subscribed = new Set(); // asked for on this socket
    this.confirmed = new Set(); // acknowledged by the server and loaded over HTTP
    this.loading = new Map(); // topic -> events that came while its state was being fetched
    this.state = emptyState();
    this.socket = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pending = new Map(); // ref -> settle(answer), for requests sent over the socket
    this.restarting = false; // closed on purpose, to reconnect at once
    window.addEventListener("online", () => this.reconnectNow());
  }

  // A request over the open socket ({type: "rate", ...}). Resolves with an answer shaped as
  // requestJson's ({ok, status, data}), or with null when the socket cannot carry it: not
  // open (reconnecting), connected before this listener existed, or closed or quiet before
  // answering. The caller then sends it over HTTP. Sending a rating again is safe: it is the
  // listener's one rating of the track, so a second copy changes nothing (curation/votes.py).
  request(frame) {
    if (this.socket?.readyState !== WebSocket.OPEN) return Promise.resolve(null);
    const ref = uuid();
    return new Promise((resolve) => {
      const timer = window.setTimeout(() => this.answer(ref, null), ANSWER_MS);
      this.pending.set(ref, (answer) => {
        window.clearTimeout(timer);
        resolve(answer);
      });
      this.send({ ...frame, ref });
    });
  }

  answer(ref, value) {
    const settle = this.pending.get(ref);
    if (!settle) return false;
    this.pending.delete(ref);
    settle(value);
    return true;
  }

  // Calls handler(value, {topic, source, event}) each time a topic's state changes; source is
  // "state" (fetched), "event" or "local" (offered by the page). `rendered`, {topic: value}: the
  // state the page was drawn with, so that fetching it again is no change. Returns an unwatch.
  watch(topics, handler, rendered = {}) {
    for (const [topic, value] of Object.entries(rendered)) {
      this.state = withFetched(this.state, topic, value);
    }
    const watcher = { topics: new Set(topics), handler };
    this.watchers.add(watcher);
    this.sync();
    return () => {
      this.watchers.delete(watcher);
      this.state = onlyTopics(this.state, this.wanted());
      this.sync();
    };
  }

  // The answer to the page's own request (its vote), kept by the same rules as the rest.
  offer(topic, value) {
    if (!this.wanted().has(topic)) return;
    this.change(topic, withFetched(this.state, topic, value), { source: "local" });
  }

  // True once events for the topic are flowing and its state has been loaded.
  isLive(topic) {
    return this.confirmed.has(topic);
  }

  wanted() {
    const topics = new Set();
    this.watchers.forEach((watcher) => watcher.topics.forEach((topic) => topics.add(topic)));
    return topics;
  }

  // Brings the server's subscriptions in line with what the widgets watch.
  sync() {
    const wanted = this.wanted();
    if (!wanted.size) this.showPaused(false); // nothing live on this page: nothing to report
    if (!this.socket) {
      if (wanted.size && this.retryTimer === null) this.connect();
      return;
    }
    if (this.socket.readyState !== WebSocket.OPEN) return; // onopen subscribes
    const add = [...wanted].filter((topic) => !this.subscribed.has(topic));
    const drop = [...this.subscribed].filter((topic) => !wanted.has(topic));
    if (drop.length) {
      this.send({ type: "unsubscribe", topics: drop });
      drop.forEach((topic) => this.subscribed.delete(topic));
    }
    if (add.length) {
      this.send({ type: "subscribe", topics: add });
      add.forEach((topic) => this.subscribed.add(topic));
    }
  }

  connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${window.location.host}${SOCKET_PATH}`);
    } catch {
      this.closed();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.subscribed.clear();
      this.sync();
      this.pingTimer = window.setInterval(() => this.send({ type: "ping" }), PING_MS);
    });
    socket.addEventListener("message", (message) => this.receive(message.data));
    socket.addEventListener("close", () => {
      if (this.socket === socket) this.closed();
    });
  }

  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "subscribed":
        this.attempt = 0;
        this.showPaused(false);
        frame.topics.forEach((topic) => this.loading.set(topic, []));
        this.fetchState(frame.topics).then(() => {
          frame.topics.forEach((topic) => this.subscribed.has(topic) && this.confirmed.add(topic));
        });
        break;
      case "unsubscribed":
        frame.topics.forEach((topic) => this.confirmed.delete(topic));
        break;
      case "rated":
        this.answer(frame.ref, { ok: true, status: 200, data: frame });
        break;
      case "error":
        if (frame.code === "unavailable" && this.answer(frame.ref, null)) {
          // Not written this time (curation/groupcommit.py): HTTP tries it again.
        } else if (frame.code === "no_listener" && this.answer(frame.ref, null)) {
          // It learns who this is from a new handshake, which carries the listener's cookie:
          // reconnect at once, without telling the listener live updates paused.
          this.restarting = true;
          this.socket?.close();
        } else if (this.pending.has(frame.ref)) {
          const { code, message, details } = frame;
          this.answer(frame.ref, { ok: false, status: 400, data: { error: { code, message, details } } });
        } else if (frame.code === "live_unavailable") this.showPaused(true);
        else console.warn("live:", frame.code, frame.message);
        break;
      default: {
        const topic = topicOf(frame); // null: a pong
        if (!topic || !this.subscribed.has(topic)) break;
        if (this.loading.has(topic)) this.loading.get(topic).push(frame);
        else this.change(topic, withEvent(this.state, frame), { source: "event", event: frame });
      }
    }
  }

  // Takes the next state and tells the topic's watchers if their part changed.
  change(topic, next, { source, event = null }) {
    const before = partOf(this.state, topic);
    this.state = next;
    const value = partOf(next, topic);
    if (value === before || value === undefined) return;
    this.watchers.forEach((watcher) => {
      if (!watcher.topics.has(topic)) return;
      try {
        watcher.handler(value, { topic, source, event });
      } catch (error) {
        console.error(error);
      }
    });
  }

  async fetchState(topics) {
    const url = `${siteUrl("live-state")}?topics=${encodeURIComponent(topics.join(","))}`;
    const result = await requestJson("GET", url);
    const answer = result.ok && result.data ? result.data : null;
    for (const topic of topics) {
      const meanwhile = this.loading.get(topic) || [];
      this.loading.delete(topic);
      if (!this.subscribed.has(topic)) continue;
      const fetched = answer ? partOf(answer, topic) : undefined;
      if (fetched !== undefined) {
        this.change(topic, withFetched(this.state, topic, fetched), { source: "state" });
      }
      // Then the events that came while it was on its way, in order, by the same rules.
      meanwhile.forEach((event) =>
        this.change(topic, withEvent(this.state, event), { source: "event", event }),
      );
    }
  }

  closed() {
    // Unanswered requests go over HTTP now rather than wait for a socket that is gone.
    [...this.pending.keys()].forEach((ref) => this.answer(ref, null));
    window.clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.socket = null;
    this.subscribed.clear();
    this.confirmed.clear();
    this.loading.clear();
    if (!this.wanted().size) return;
    if (this.restarting) {
      this.restarting = false;
      this.connect();
      return;
    }
    this.showPaused(true);
    // Exponential backoff from 1 s to 30 s, with jitter so a restart is not a stampede.
    const ceiling = Math.min(MAX_DELAY_MS, 1000 * 2 ** this.attempt);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.attempt += 1;
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      if (this.wanted().size) this.connect();
    }, delay);
  }

  reconnectNow() {
    if (this.socket || this.retryTimer === null) return;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  showPaused(paused) {
    if (this.status) this.status.hidden = !paused;
  }
}
