// Producer dashboard: live batch progress from /ws/producer/ (batch.launched, track.status,
// batch.finished). Updates the per-track rows and progress bars rendered by
// templates/producer/_batch.html, moves a batch from Running to Recent when it finishes (and
// back on a retry), builds the same markup for a batch launched while the page is open, and
// reconnects with backoff (never after 4403: not a producer). After a reconnect it reloads
// both lists from the server, since events sent while it was away are lost. A track a worker
// has says "waiting for a worker" once its stalled_at passes (the server's rule, in
// generation.selectors; the page only keeps the time). Addresses come from the page's
// data-track-url and data-retry-url, Django's URLs for track 0.

import { csrfToken, formatDateTime } from "./util.js";

const TERMINAL = ["ready", "rejected", "failed"];
const FORBIDDEN = 4403;

export function initProducerPage(main) {
  const root = main.querySelector("[data-producer-live]");
  if (!root || !window.WebSocket) return null;
  const status = root.querySelector("[data-live-status]");
  const page = {
    root,
    presets: readJson(main, "preset-labels"),
    sources: readJson(main, "batch-sources"),
    stallTimers: new Map(),
  };
  watchStalls(page);
  let socket = null;
  let retryTimer = null;
  let attempts = 0;
  let connectedBefore = false;
  let stopped = false;
  let held = null; // frames that arrive while the lists are being reloaded

  const say = (text, state) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state;
  };

  const resync = async () => {
    held = [];
    await reloadLists(root);
    watchStalls(page);
    const frames = held;
    held = null;
    // Anything newer than the fetched page is applied again; every event is idempotent.
    frames.forEach((frame) => handle(page, frame, say));
  };

  const connect = () => {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}/ws/producer/`);
    socket.onmessage = (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type === "ready") {
        attempts = 0;
        if (connectedBefore && !stopped) resync();
        connectedBefore = true;
      }
      if (held && frame.type !== "ready") held.push(frame);
      else handle(page, frame, say);
    };
    socket.onclose = (event) => {
      if (stopped) return;
      if (event.code === FORBIDDEN) {
        say("Live progress is for producers only.", "off");
        return;
      }
      say("Live progress paused — reconnecting…", "paused");
      const delay = Math.min(30000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
      attempts += 1;
      retryTimer = window.setTimeout(connect, delay);
    };
  };
  connect();

  return () => {
    stopped = true;
    window.clearTimeout(retryTimer);
    page.stallTimers.forEach((timer) => window.clearTimeout(timer));
    socket?.close();
  };
}

function readJson(main, id) {
  const script = main.querySelector(`script#${id}`);
  try {
    return script ? JSON.parse(script.textContent) : {};
  } catch {
    return {};
  }
}

function handle(page, frame, say) {
  const { root } = page;
  if (frame.type === "ready") say("Live: progress updates as tracks are composed.", "live");
  else if (frame.type === "error") say(frame.message, "paused");
  else if (frame.type === "batch.launched") batchLaunched(page, frame.batch);
  else if (frame.type === "track.status") trackStatus(page, frame.track, frame.batch);
  else if (frame.type === "batch.finished") batchFinished(root, frame.batch);
}

// Both lists as the server has them now, for a page that missed events while disconnected.
async function reloadLists(root) {
  let fresh;
  try {
    const response = await fetch(window.location.href, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (!response.ok) return;
    fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch {
    return; // the next event, or a reload, tells the rest
  }
  for (const name of ["data-running", "data-recent"]) {
    const here = root.querySelector(`[${name}]`);
    const there = fresh.querySelector(`[data-producer-live] [${name}]`);
    if (!here || !there) continue;
    here.replaceChildren(...[...there.childNodes].map((node) => document.adoptNode(node)));
  }
}

function batchFinished(root, batch) {
  updateProgress(root, batch.id, batch.counts);
  const block = root.querySelector(`[data-batch-id="${batch.id}"]`);
  if (!block) return;
  const finished = block.querySelector("[data-finished]");
  if (finished && batch.finished_at) {
    finished.textContent = ` · finished ${formatDateTime(batch.finished_at)}`;
  }
  moveBatch(root, block, "[data-recent]");
}

// Django's URL of track 0's page (data-track-url) or retry (data-retry-url), for this track.
function urlOf(root, name, trackId) {
  return root.dataset[name].replace("/0/", `/${trackId}/`);
}

// The badge says the status; a track a worker has says "waiting for a worker" from stalled_at
// on (at once if that has passed), unless an event about it comes first.
function showStatus(page, badge, trackId, status, stalledAt) {
  window.clearTimeout(page.stallTimers.get(trackId));
  page.stallTimers.delete(trackId);
  const say = (text, kind) => {
    badge.textContent = text;
    badge.className = `status status-${kind}`;
  };
  badge.dataset.status = status;
  say(status, status);
  if (!stalledAt) return;
  const waiting = () => say(page.root.dataset.waitingLabel, "waiting");
  const due = Date.parse(stalledAt) - Date.now();
  if (due <= 0) waiting();
  else page.stallTimers.set(trackId, window.setTimeout(waiting, due));
}

// The rows the server rendered (again after a reload of the lists) with a track a worker has
// still; one the server already says is waiting stays so, whatever this computer's clock says.
function watchStalls(page) {
  page.stallTimers.forEach((timer) => window.clearTimeout(timer));
  page.stallTimers.clear();
  const badges = page.root.querySelectorAll("[data-status][data-stalled-at]:not(.status-waiting)");
  for (const badge of badges) {
    const trackId = Number(badge.closest("[data-track-row]").dataset.trackRow);
    showStatus(page, badge, trackId, badge.dataset.status, badge.dataset.stalledAt);
  }
}

// Put a batch block into a list (running or recent), newest first as the server orders them,
// and keep each list's "nothing here" note and the recent list's length in step.
function moveBatch(root, block, target) {
  const list = root.querySelector(target);
  if (!list || block.parentElement === list) return;
  const from = block.parentElement;
  const id = Number(block.dataset.batchId);
  const after = [...list.querySelectorAll(":scope > [data-batch-id]")].find(
    (other) => Number(other.dataset.batchId) < id,
  );
  list.insertBefore(block, after || null);
  const limit = Number(list.dataset.recentLimit || 0);
  if (limit) {
    const blocks = [...list.querySelectorAll(":scope > [data-batch-id]")];
    blocks.slice(limit).forEach((extra) => extra.remove());
  }
  for (const each of [list, from]) {
    const empty = each?.querySelector(":scope > p.empty");
    if (empty) empty.hidden = Boolean(each.querySelector(":scope > [data-batch-id]"));
  }
}

function updateProgress(root, batchId, counts) {
  const block = root.querySelector(`[data-batch-id="${batchId}"]`);
  if (!block || !counts) return;
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const done = TERMINAL.reduce((sum, name) => sum + (counts[name] || 0), 0);
  const bar = block.querySelector("[data-progress]");
  if (bar) {
    bar.max = total;
    bar.value = done;
    bar.textContent = `${done} of ${total}`;
  }
  const doneText = block.querySelector("[data-done]");
  const totalText = block.querySelector("[data-total]");
  if (doneText) doneText.textContent = String(done);
  if (totalText) totalText.textContent = String(total);
}

function trackStatus(page, track, batch) {
  const { root } = page;
  const row = root.querySelector(`[data-track-row="${track.id}"]`);
  if (row) {
    showStatus(page, row.querySelector("[data-status]"), track.id, track.status, track.stalled_at);
    if (track.title) row.querySelector("[data-title]").textContent = track.title;
    row.querySelector("[data-error]").textContent = track.error || "";
    const actions = row.querySelector("[data-actions]");
    actions.replaceChildren();
    if (track.status === "failed") actions.append(retryForm(root, track.id));
  }
  if (batch) updateProgress(root, batch.id, batch.counts);
  if (!TERMINAL.includes(track.status)) {
    // A retried track reopens its batch (generation.services.tracks_retry).
    const block = root.querySelector(`[data-recent] [data-batch-id="${track.batch_id}"]`);
    if (block) {
      const finished = block.querySelector("[data-finished]");
      if (finished) finished.textContent = "";
      moveBatch(root, block, "[data-running]");
    }
  }
}

function retryForm(root, trackId) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = urlOf(root, "retryUrl", trackId);
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = csrfToken();
  const next = document.createElement("input");
  next.type = "hidden";
  next.name = "next";
  next.value = window.location.pathname;
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "button-secondary";
  button.textContent = "Retry";
  form.append(token, next, button);
  return form;
}

function batchLaunched(page, batch) {
  const { root } = page;
  if (root.querySelector(`[data-batch-id="${batch.id}"]`)) return;
  const running = root.querySelector("[data-running]");
  if (!running) return;
  const block = document.createElement("article");
  block.className = "panel producer-batch";
  block.dataset.batchId = batch.id;
  const heading = document.createElement("h3");
  heading.textContent = `Batch ${batch.id} `;
  const meta = document.createElement("span");
  meta.className = "batch-meta";
  const by = batch.launched_by ? ` by ${batch.launched_by}` : "";
  meta.textContent = `${page.sources[batch.source] || batch.source}${by} · just now`;
  heading.append(meta);
  const text = document.createElement("p");
  text.className = "batch-progress-text";
  text.innerHTML =
    '<span data-done>0</span> of <span data-total>0</span> done<span data-finished></span>';
  const bar = document.createElement("progress");
  bar.className = "composing-progress";
  bar.dataset.progress = "";
  bar.setAttribute("aria-label", `Batch ${batch.id} progress`);
  const table = document.createElement("table");
  table.className = "producer-table batch-tracks";
  table.innerHTML =
    '<thead><tr><th scope="col">#</th><th scope="col">Track</th><th scope="col">Preset</th>' +
    '<th scope="col">Status</th><th scope="col">Error</th>' +
    '<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>';
  const body = document.createElement("tbody");
  for (const track of batch.tracks) {
    const row = document.createElement("tr");
    row.dataset.trackRow = track.id;
    const cells = ["position", "title", "preset", "status", "error", "actions"].map(() =>
      document.createElement("td"),
    );
    cells[0].textContent = String(track.position + 1);
    const link = document.createElement("a");
    link.href = urlOf(root, "trackUrl", track.id);
    link.dataset.title = "";
    link.textContent = "(untitled yet)";
    cells[1].append(link);
    cells[2].textContent = page.presets[track.preset] || track.preset;
    const badge = document.createElement("span");
    badge.dataset.status = track.status;
    badge.className = `status status-${track.status}`;
    badge.textContent = track.status;
    cells[3].append(badge);
    cells[4].className = "error-cell";
    cells[4].dataset.error = "";
    cells[5].dataset.actions = "";
    row.append(...cells);
    body.append(row);
  }
  table.append(body);
  block.append(heading, text, bar, table);
  moveBatch(root, block, "[data-running]");
  updateProgress(root, batch.id, batch.counts);
}
