// Listening events: what the player did, numbered per session, batched to
// POST /api/v1/listening-events/. The server turns them into listen time, which unlocks rating.
import { requestJson, siteUrl, uuid } from "./util.js";

const MAX_BATCH = 200;
const MAX_PENDING = 1000;

const round = (seconds) => Math.max(0, Math.round(seconds * 1000) / 1000);

export class ListeningReporter {
  // onResult({track, listened_s, required_s, can_rate}) after each accepted batch.
  constructor({ onResult } = {}) {
    this.onResult = onResult || (() => {});
    this.session = null;
    this.pending = []; // [{track, session, event}], in the order they happened
    this.chain = Promise.resolve();
  }

  // A new session for every track load: seq and the clock start again.
  start(trackId) {
    this.session = { id: uuid(), track: trackId, seq: 0, lastT: 0, active: false };
  }

  // True once this session has played, so pauses and skips mean something.
  get active() {
    return Boolean(this.session?.active);
  }

  record(type, position, fromPosition) {
    const session = this.session;
    if (!session) return;
    // performance.now() never goes back, but keep t non-decreasing even if rounding would.
    const t = Math.max(session.lastT, Math.round(performance.now()));
    session.lastT = t;
    session.seq += 1;
    const event = { type, position: round(position), seq: session.seq, t };
    if (type === "seek") event.from_position = round(fromPosition);
    this.pending.push({ track: session.track, session: session.id, event });
    // While the server is unreachable, keep the most recent events only.
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
    if (type === "play" || type === "replay") session.active = true;
  }

  // Sends what is pending. Batches go one at a time, in order, so the server folds them in
  // the order they happened; keepalive lets a request finish if the page is frozen or closed.
  // When unloading there is no time to wait for the queue: everything goes at once.
  flush({ unloading = false } = {}) {
    if (unloading) {
      const batches = this.takeBatches();
      const url = siteUrl("listening-events");
      batches.forEach((batch) => requestJson("POST", url, batch, { keepalive: true }));
      return Promise.resolve();
    }
    this.chain = this.chain.then(() => this.sendPending()).catch(() => {});
    return this.chain;
  }

  takeBatches() {
    const batches = [];
    for (const { track, session, event } of this.pending) {
      const last = batches[batches.length - 1];
      if (last && last.session === session && last.events.length < MAX_BATCH) {
        last.events.push(event);
      } else {
        batches.push({ track, session, events: [event] });
      }
    }
    this.pending = [];
    return batches;
  }

  async sendPending() {
    const batches = this.takeBatches();
    for (let i = 0; i < batches.length; i += 1) {
      const batch = batches[i];
      const result = await requestJson("POST", siteUrl("listening-events"), batch, {
        keepalive: true,
      });
      if (result.ok) {
        this.onResult({ track: batch.track, ...result.data });
        continue;
      }
      if (result.status === 0 || result.status === 429 || result.status >= 500) {
        // Try again with the next flush; the server drops events it has already counted.
        const unsent = batches.slice(i).flatMap((b) =>
          b.events.map((event) => ({ track: b.track, session: b.session, event })),
        );
        this.pending = [...unsent, ...this.pending];
        return;
      }
      console.warn("listening events refused", result.status, result.data);
    }
  }
}
