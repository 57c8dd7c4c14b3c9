// Producer dashboard: live batch progress from /ws/producer/ (batch.launched, track.status,
// batch.finished). Updates the per-track rows and progress bars rendered by
// templates/producer/_batch.html, builds the same markup for a batch launched while the page
// is open, and reconnects with backoff (never after 4403: not a producer).

import { csrfToken } from "./util.js";

const TERMINAL = ["ready", "rejected", "failed"];
const FORBIDDEN = 4403;

export function initProducerPage(main) {
  const root = main.querySelector("[data-producer-live]");
  if (!root || !window.WebSocket) return null;
  const status = root.querySelector("[data-live-status]");
  let socket = null;
  let retryTimer = null;
  let attempts = 0;
  let stopped = false;

  const say = (text, state) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state;
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
      handle(root, frame, say);
      if (frame.type === "ready") attempts = 0;
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
    socket?.close();
  };
}

function handle(root, frame, say) {
  if (frame.type === "ready") say("Live: progress updates as tracks are composed.", "live");
  else if (frame.type === "error") say(frame.message, "paused");
  else if (frame.type === "batch.launched") batchLaunched(root, frame.batch);
  else if (frame.type === "track.status") trackStatus(root, frame.track, frame.batch);
  else if (frame.type === "batch.finished") updateProgress(root, frame.batch.id, frame.batch.counts);
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

function trackStatus(root, track, batch) {
  const row = root.querySelector(`[data-track-row="${track.id}"]`);
  if (row) {
    const badge = row.querySelector("[data-status]");
    badge.textContent = track.status;
    badge.className = `status status-${track.status}`;
    if (track.title) row.querySelector("[data-title]").textContent = track.title;
    row.querySelector("[data-error]").textContent = track.error || "";
    const actions = row.querySelector("[data-actions]");
    actions.replaceChildren();
    if (track.status === "failed") actions.append(retryForm(track.id));
  }
  if (batch) updateProgress(root, batch.id, batch.counts);
}

function retryForm(trackId) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = `/producer/tracks/${trackId}/retry/`;
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

function batchLaunched(root, batch) {
  if (root.querySelector(`[data-batch-id="${batch.id}"]`)) return;
  const running = root.querySelector("[data-running]");
  if (!running) return;
  running.querySelector("[data-running-empty]")?.remove();
  const block = document.createElement("article");
  block.className = "panel producer-batch";
  block.dataset.batchId = batch.id;
  const heading = document.createElement("h3");
  heading.textContent = `Batch ${batch.id} `;
  const meta = document.createElement("span");
  meta.className = "batch-meta";
  meta.textContent = `${batch.source} · just now`;
  heading.append(meta);
  const text = document.createElement("p");
  text.className = "batch-progress-text";
  text.innerHTML = '<span data-done>0</span> of <span data-total>0</span> done';
  const bar = document.createElement("progress");
  bar.className = "composing-progress";
  bar.dataset.progress = "";
  bar.setAttribute("aria-label", `Batch ${batch.id} progress`);
  const table = document.createElement("table");
  table.className = "producer-table batch-tracks";
  table.innerHTML =
    '<thead><tr><th scope="col">#</th><th scope="col">Track</th><th scope="col">Preset</th>' +
    '<th scope="col">Status</th><th scope="col">Error</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>';
  const body = document.createElement("tbody");
  for (const track of batch.tracks) {
    const row = document.createElement("tr");
    row.dataset.trackRow = track.id;
    const cells = ["position", "title", "preset", "status", "error", "actions"].map(() =>
      document.createElement("td"),
    );
    cells[0].textContent = String(track.position + 1);
    const link = document.createElement("a");
    link.href = `/producer/tracks/${track.id}/`;
    link.dataset.title = "";
    link.textContent = "(untitled yet)";
    cells[1].append(link);
    cells[2].textContent = track.preset;
    const badge = document.createElement("span");
    badge.dataset.status = "";
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
  running.prepend(block);
  updateProgress(root, batch.id, batch.counts);
}
