// Live updates over /ws/live/: one socket for whatever topics the page's widgets watch.
// Contract: subscribe first, then load state over HTTP, then apply events (whole state each).
// When the socket drops it says so quietly and reconnects with backoff, then refetches.
import { requestJson } from "./util.js";

const STATE_URL = "/api/v1/live/";
const PING_MS = 25000;
const MAX_DELAY_MS = 30000;

export class LiveClient {
  constructor(statusElement) {
    this.status = statusElement;
    this.watchers = new Set(); // {topics: Set, handler(topic, payload, source)}
    this.subscribed = new Set(); // asked for on this socket
    this.confirmed = new Set(); // acknowledged by the server and loaded over HTTP
    this.socket = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.eventCounts = new Map(); // topic -> events seen, to drop state older than an event
    window.addEventListener("online", () => this.reconnectNow());
  }

  // Calls handler(topic, payload, "state" | "event") for the topics; returns an unwatch function.
  watch(topics, handler) {
    const watcher = { topics: new Set(topics), handler };
    this.watchers.add(watcher);
    this.sync();
    return () => {
      this.watchers.delete(watcher);
      this.sync();
    };
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
      socket = new WebSocket(`${scheme}://${window.location.host}/ws/live/`);
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
        this.fetchState(frame.topics).then(() => {
          frame.topics.forEach((topic) => this.subscribed.has(topic) && this.confirmed.add(topic));
        });
        break;
      case "unsubscribed":
        frame.topics.forEach((topic) => this.confirmed.delete(topic));
        break;
      case "error":
        if (frame.code === "live_unavailable") this.showPaused(true);
        else console.warn("live:", frame.code, frame.message);
        break;
      case "rating.updated":
        this.deliver(`track:${frame.track}`, frame.rating, "event");
        break;
      case "top.updated":
        this.deliver("top", frame.tracks, "event");
        break;
      case "track.ready":
        this.deliver("new", frame.track, "event");
        break;
      default:
        break; // pong
    }
  }

  deliver(topic, payload, source) {
    if (source === "event") this.eventCounts.set(topic, (this.eventCounts.get(topic) || 0) + 1);
    this.watchers.forEach((watcher) => {
      if (!watcher.topics.has(topic)) return;
      try {
        watcher.handler(topic, payload, source);
      } catch (error) {
        console.error(error);
      }
    });
  }

  async fetchState(topics) {
    if (!topics?.length) return;
    const before = new Map(topics.map((topic) => [topic, this.eventCounts.get(topic) || 0]));
    const url = `${STATE_URL}?topics=${encodeURIComponent(topics.join(","))}`;
    const result = await requestJson("GET", url);
    if (!result.ok || !result.data) return;
    for (const topic of topics) {
      // An event that arrived meanwhile carries state at least as new as this answer.
      if ((this.eventCounts.get(topic) || 0) !== before.get(topic)) continue;
      if (!this.subscribed.has(topic)) continue;
      let payload;
      if (topic === "top") payload = result.data.top;
      else if (topic === "new") payload = result.data.new;
      else payload = result.data.tracks?.[topic.slice("track:".length)];
      if (payload !== undefined) this.deliver(topic, payload, "state");
    }
  }

  closed() {
    window.clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.socket = null;
    this.subscribed.clear();
    this.confirmed.clear();
    if (!this.wanted().size) return;
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
