// The workspace's markup from the API's JSON: a tracklist row from the blank the server
// rendered (templates/albums/_workspace_row.html, in <template data-row-blank>), and the
// suggestions' items, which only the script draws.
import { el, formatTime, plural } from "../util.js";

// The crowd score, labelled and explained the same way wherever the workspace shows it.
export function crowdFigure(score, help) {
  return el("span", { class: "ws-crowd", title: help }, [`Crowd score ${fixed(score)}`]);
}

// One tracklist row: the blank filled in, each part where its data-fill says; a part the
// track has no value for goes. url: the page's addresses (./urls.js).
export function trackRow(blank, track, index, count, transition, url) {
  const item = blank.cloneNode(true);
  const title = track.title || `Track ${track.id}`;
  Object.assign(item.dataset, {
    trackId: String(track.id),
    title,
    url: url("track", track.id),
    opus: url("opus", track.id),
    mp3: url("mp3", track.id),
    peaks: url("peaks", track.id),
    duration: track.duration_s ?? "",
  });
  const part = (selector) => item.querySelector(selector);
  const labels = {
    "[data-handle]": `Move ${title} (position ${index + 1}); Alt+Up or Alt+Down moves it`,
    "[data-play-item]": `Play ${title}`,
    '[data-move="up"]': `Move ${title} up`,
    '[data-move="down"]': `Move ${title} down`,
    "[data-remove]": `Remove ${title}`,
  };
  for (const [selector, label] of Object.entries(labels)) part(selector).setAttribute("aria-label", label);
  part('[data-move="up"]').disabled = index === 0;
  part('[data-move="down"]').disabled = index === count - 1;
  part(".ws-position").textContent = String(index + 1);
  const link = part('[data-fill="title"]');
  link.href = item.dataset.url;
  link.textContent = title;
  const words = {
    length: track.duration_s ? formatTime(track.duration_s) : null,
    key: track.key ? (track.camelot ? `${track.key} (${track.camelot})` : track.key) : null,
    tempo: track.tempo_bpm ? `${Math.round(track.tempo_bpm)} BPM` : null,
    rating: track.rating_count
      ? `★ ${Number(track.mean).toFixed(1)} (${plural(track.rating_count, "rating")})`
      : null,
    pick: pickLabel(track.pick) || null,
  };
  for (const [name, text] of Object.entries(words)) {
    const span = part(`[data-fill="${name}"]`);
    if (text === null) span.remove();
    else span.textContent = text;
  }
  part(".ws-crowd").textContent = `Crowd score ${fixed(track.crowd_score)}`;
  const line = part("[data-transition]");
  if (transition && index < count - 1) line.replaceWith(transitionLine(transition));
  else line.remove();
  return item;
}

// One ranked candidate: its figures, each with its label, and an Add button.
export function candidateItem(candidate, onAlbum, help) {
  const figures = [
    el("span", { "data-suggestion-score": "", class: "ws-hint", title: help.suggestion }, [
      `Suggestion score ${fixed(candidate.score)}`,
    ]),
    crowdFigure(candidate.crowd, help.crowd),
  ];
  if (candidate.pick) figures.push(el("span", {}, ["shortlisted"]));
  return el("li", { "data-candidate": String(candidate.id) }, [
    el("span", { class: "ws-suggested-title" }, [candidate.title]),
    el(
      "span",
      { class: "ws-suggested-meta" },
      figures.flatMap((figure, i) => (i ? [" · ", figure] : [figure])),
    ),
    addButton(candidate.id, candidate.title, onAlbum),
  ]);
}

export function addButton(trackId, title, onAlbum) {
  return el(
    "button",
    {
      type: "button",
      class: "ws-small",
      "data-add": String(trackId),
      "data-title": title,
      "aria-label": `Add ${title}`,
      disabled: onAlbum ? "" : null,
    },
    ["Add"],
  );
}

// A suggested track's line: key, tempo, length and its crowd score.
export function suggestedMeta(candidate, help) {
  const parts = [
    candidate.camelot || "",
    candidate.tempo_bpm ? `${Math.round(candidate.tempo_bpm)} BPM` : "",
    candidate.duration_s ? formatTime(candidate.duration_s) : "",
  ].filter(Boolean);
  return el("span", { class: "ws-suggested-meta" }, [
    ...parts.flatMap((text) => [text, " · "]),
    crowdFigure(candidate.crowd, help.crowd),
  ]);
}

export function transitionLine(transition) {
  return el("p", { class: "ws-transition", "data-transition": "" }, [
    el("span", { class: "ws-cost" }, [Number(transition.cost).toFixed(2)]),
    " ",
    el("span", { class: "ws-why" }, [transition.why]),
  ]);
}

function pickLabel(pick) {
  if (!pick) return "";
  if (typeof pick === "string") return pick;
  if (pick.vetoed) return "vetoed";
  if (pick.shortlisted) return "shortlisted";
  return "";
}

export function fixed(value) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(2);
}
