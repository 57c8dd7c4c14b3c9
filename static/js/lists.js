// Track lists: each list is a queue (a track's play button plays the list from there), the
// live "New" and "Top" lists on the home and batch pages, and the "N new tracks — show them"
// notice on /tracks/ (new tracks are announced there, not shuffled into the page).
import { el, flash, formatTime, icon, plural, trackFromItem } from "./util.js";

const PLAY_PATH = "M7 4.5v15L20 12z";
const PAUSE_PATH = "M6 4h4.5v16H6zM13.5 4H18v16h-4.5z";

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

  main.querySelectorAll("[data-live-new]").forEach((list) => {
    cleanups.push(liveNewList(list, live, refresh));
  });
  main.querySelectorAll("[data-live-top]").forEach((list) => {
    cleanups.push(liveTopList(list, live, refresh));
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

function liveNewList(list, live, refresh) {
  const limit = Number(list.dataset.liveNew) || Infinity;
  const batch = list.dataset.matchBatch ? Number(list.dataset.matchBatch) : null;
  const add = (summary) => {
    if (batch !== null && summary.batch !== batch) return false;
    if (list.querySelector(`:scope > li[data-track-id="${summary.id}"]`)) return false;
    const item = renderItem(summary, null);
    list.prepend(item);
    flash(item, "is-fresh", 4000);
    return true;
  };
  return live.watch(["new"], (topic, payload, source) => {
    // State is the newest first; prepend the oldest first so the order comes out right.
    const tracks = source === "event" ? [payload] : payload.slice(0, limit).reverse();
    const added = tracks.map(add).some(Boolean);
    if (!added) return;
    while (list.children.length > limit) list.lastElementChild.remove();
    toggleEmpty(list);
    refresh();
  });
}

function liveTopList(list, live, refresh) {
  const limit = Number(list.dataset.liveTop) || 10;
  return live.watch(["top"], (topic, tracks) => {
    const wanted = tracks.slice(0, limit);
    const items = [...list.querySelectorAll(":scope > li[data-track-id]")];
    const existing = new Map(items.map((item) => [Number(item.dataset.trackId), item]));
    const changed = [];
    const next = wanted.map((track) => {
      let item = existing.get(track.id);
      if (!item) {
        item = renderItem(track, track.rating);
        changed.push(item);
      } else if (updateScore(item, track.rating)) {
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
  return live.watch(["new"], (topic, summary, source) => {
    if (source !== "event" || !matchesFilters(summary, filters) || onPage(summary.id)) return;
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

// --- markup, in step with templates/curation/_track_item.html -------------------------------

function scoreChildren(rating) {
  if (!rating || !rating.count) return [el("span", { class: "score-count" }, ["No ratings yet"])];
  return [
    el("span", { class: "score-average" }, [
      el("span", { "aria-hidden": "true" }, ["★ "]),
      el("span", { class: "sr-only" }, ["Average "]),
      Number(rating.average).toFixed(1),
    ]),
    " ",
    el("span", { class: "score-count" }, [plural(rating.count, "rating")]),
  ];
}

function updateScore(item, rating) {
  const score = item.querySelector("[data-score]");
  const replacement = el("p", {}, scoreChildren(rating));
  const squash = (text) => text.replace(/\s+/g, " ").trim();
  if (squash(score.textContent) === squash(replacement.textContent)) return false;
  score.replaceChildren(...replacement.childNodes);
  return true;
}

function renderItem(track, rating) {
  const meta = [track.preset_label];
  if (track.key) meta.push(track.camelot ? `${track.key} (${track.camelot})` : track.key);
  if (track.tempo_bpm) meta.push(`${Math.round(track.tempo_bpm)} BPM`);
  if (track.duration_s) meta.push(formatTime(track.duration_s));
  return el(
    "li",
    {
      class: "track-card",
      "data-track-id": String(track.id),
      "data-title": track.title,
      "data-url": track.url,
      "data-opus": track.audio.opus,
      "data-mp3": track.audio.mp3,
      "data-peaks": track.peaks_url,
      "data-duration": track.duration_s ?? "",
    },
    [
      el("button", { type: "button", class: "play-item", "data-play-item": "", "aria-label": `Play ${track.title}` }, [
        icon("icon-play", PLAY_PATH),
        icon("icon-pause", PAUSE_PATH),
      ]),
      el("div", { class: "track-card-body" }, [
        el("h3", { class: "track-card-title" }, [el("a", { href: track.url }, [track.title])]),
        // Spaces between the items, as in the template, so that lines can break there.
        el("p", { class: "track-card-meta" }, meta.flatMap((text, i) => [i ? " " : "", el("span", {}, [text])])),
      ]),
      el("p", { class: "track-card-score", "data-score": "" }, scoreChildren(rating)),
    ],
  );
}
