// Track lists: each list is a queue (a track's play button plays the list from there), the
// live "New" and "Top" lists on the home and batch pages, and the "N new tracks — show them"
// notice on /tracks/ (new tracks are announced there, not shuffled into the page). A track
// that arrives live is drawn from the page's blank item (templates/curation/_track_item.html).
import { flash, formatTime, plural, trackFromItem } from "./util.js";

export function initLists(main, { player, live, navigate }) {
  const cleanups = [];

  const onClick = (event) => {
    const button = event.target.closest("[data-play-item]");
    if (!button || !main.contains(button)) return;
    const item = button.closest("li[data-track-id]");
    const list = item.closest("[data-queue]");
    const items = [...list.querySelectorAll(":scope > li[data-track-id]")];
    player.playFrom(items.map(trackFromItem), items.indexOf(item));
  };
  main.addEventListener("click", onClick);
  cleanups.push(() => main.removeEventListener("click", onClick));

  const refresh = () => markPlaying(main, player);
  player.addEventListener("change", refresh);
  cleanups.push(() => player.removeEventListener("change", refresh));
  refresh();

  const blank = main.querySelector("template[data-track-blank]")?.content.querySelector("li");
  main.querySelectorAll("[data-live-new]").forEach((list) => {
    cleanups.push(liveNewList(list, live, blank, refresh));
  });
  main.querySelectorAll("[data-live-top]").forEach((list) => {
    cleanups.push(liveTopList(list, live, blank, refresh));
  });
  const notice = main.querySelector("[data-new-notice]");
  if (notice) cleanups.push(newTracksNotice(notice, main, live, navigate));

  return () => cleanups.forEach((cleanup) => cleanup());
}

// The queue a page offers when nothing is loaded: its first list of tracks.
export function firstQueue(main) {
  for (const list of main.querySelectorAll("[data-queue]")) {
    const items = [...list.querySelectorAll(":scope > li[data-track-id]")];
    if (items.length) return items.map(trackFromItem);
  }
  return [];
}

function markPlaying(main, player) {
  main.querySelectorAll("li[data-track-id]").forEach((item) => {
    const current = player.isCurrent(Number(item.dataset.trackId));
    const playing = current && player.playing;
    item.classList.toggle("is-current", current);
    const button = item.querySelector("[data-play-item]");
    if (!button) return;
    button.classList.toggle("is-playing", playing);
    button.setAttribute("aria-label", `${playing ? "Pause" : "Play"} ${item.dataset.title}`);
  });
}

function toggleEmpty(list) {
  const empty = list.parentElement.querySelector("[data-empty]");
  if (empty) empty.hidden = list.children.length > 0;
}

function liveNewList(list, live, blank, refresh) {
  const limit = Number(list.dataset.liveNew) || Infinity;
  const batch = list.dataset.matchBatch ? Number(list.dataset.matchBatch) : null;
  return live.watch(["new"], (tracks) => {
    const wanted = tracks.filter((track) => batch === null || track.batch === batch);
    // The newest first: prepend the oldest first so that the order comes out right.
    const added = [];
    for (const track of wanted.slice(0, limit).reverse()) {
      if (list.querySelector(`:scope > li[data-track-id="${track.id}"]`)) continue;
      const item = filledItem(blank, track, null);
      list.prepend(item);
      added.push(item);
    }
    if (!added.length) return;
    added.forEach((item) => flash(item, "is-fresh", 4000));
    while (list.children.length > limit) list.lastElementChild.remove();
    toggleEmpty(list);
    refresh();
  });
}

function liveTopList(list, live, blank, refresh) {
  const limit = Number(list.dataset.liveTop) || 10;
  return live.watch(["top"], (tracks) => {
    const wanted = tracks.slice(0, limit);
    const items = [...list.querySelectorAll(":scope > li[data-track-id]")];
    const existing = new Map(items.map((item) => [Number(item.dataset.trackId), item]));
    const changed = [];
    const next = wanted.map((track) => {
      let item = existing.get(track.id);
      if (!item) {
        item = filledItem(blank, track, track.rating);
        changed.push(item);
      } else if (updateScore(item, blank, track.rating)) {
        changed.push(item);
      }
      return item;
    });
    const sameOrder =
      next.length === items.length && next.every((item, index) => item === items[index]);
    if (!sameOrder) {
      // Moving a focused element blurs it; put focus back where the listener had it.
      const focused = list.contains(document.activeElement) ? document.activeElement : null;
      list.replaceChildren(...next);
      if (focused?.isConnected) focused.focus({ preventScroll: true });
    }
    changed.forEach((item) => flash(item, "is-updated"));
    toggleEmpty(list);
    refresh();
  });
}

function newTracksNotice(notice, main, live, navigate) {
  const filters = notice.dataset;
  const fresh = new Set();
  let button = null;
  const onPage = (id) => Boolean(main.querySelector(`li[data-track-id="${id}"]`));
  return live.watch(["new"], (tracks, { source, event }) => {
    if (source !== "event") return; // announced here, while the page is open
    const summary = event.track;
    if (!matchesFilters(summary, filters) || onPage(summary.id)) return;
    fresh.add(summary.id);
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "button-secondary new-notice-button";
      button.addEventListener("click", () => navigate(filters.href));
      notice.append(button);
    }
    button.textContent = `${plural(fresh.size, "new track")} — show them`;
  });
}

function matchesFilters(track, filters) {
  if (filters.batch && track.batch !== Number(filters.batch)) return false;
  if (filters.preset && track.preset !== filters.preset) return false;
  if (filters.key && track.key !== filters.key && track.camelot !== filters.key) return false;
  const bpm = track.tempo_bpm;
  if (filters.tempoMin && !(bpm >= Number(filters.tempoMin))) return false;
  if (filters.tempoMax && !(bpm <= Number(filters.tempoMax))) return false;
  return true;
}

// --- a track's item, from the blank the server rendered -------------------------------------

// The track's words where the blank's data-fill says; a part it has no value for goes.
function filledItem(blank, track, rating) {
  const item = blank.cloneNode(true);
  Object.assign(item.dataset, {
    trackId: String(track.id),
    title: track.title,
    url: track.url,
    opus: track.audio.opus,
    mp3: track.audio.mp3,
    peaks: track.peaks_url,
    duration: track.duration_s ?? "",
  });
  item.querySelector("[data-play-item]").setAttribute("aria-label", `Play ${track.title}`);
  const link = item.querySelector('[data-fill="title"]');
  link.href = track.url;
  link.textContent = track.title;
  const key = track.camelot ? `${track.key} (${track.camelot})` : track.key;
  const meta = {
    preset: track.preset_label ?? "",
    key: track.key ? key : null,
    tempo: track.tempo_bpm ? `${Math.round(track.tempo_bpm)} BPM` : null,
    length: track.duration_s ? formatTime(track.duration_s) : null,
  };
  for (const [name, words] of Object.entries(meta)) {
    const part = item.querySelector(`[data-fill="${name}"]`);
    if (words === null) part.remove();
    else part.textContent = words;
  }
  item.querySelector("[data-score]").replaceWith(filledScore(blank, rating));
  return item;
}

// The score: the blank's rated words with the figures, or its unrated ones.
function filledScore(blank, rating) {
  const score = blank.querySelector("[data-score]").cloneNode(true);
  const rated = Boolean(rating?.count);
  score.querySelectorAll(rated ? "[data-unrated]" : "[data-rated]").forEach((part) => part.remove());
  if (rated) {
    score.querySelector('[data-fill="average"]').textContent = Number(rating.average).toFixed(1);
    score.querySelector('[data-fill="count"]').textContent = plural(rating.count, "rating");
  }
  return score;
}

// True if the score's words changed.
function updateScore(item, blank, rating) {
  const score = item.querySelector("[data-score]");
  const next = filledScore(blank, rating);
  const squash = (text) => text.replace(/\s+/g, " ").trim();
  if (squash(score.textContent) === squash(next.textContent)) return false;
  score.replaceWith(next);
  return true;
}
