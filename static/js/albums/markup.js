// The workspace's markup built from the API's JSON, in step with the server-rendered
// templates/albums/_workspace_row.html (keep the two alike).
import { el, formatTime, icon, plural } from "../util.js";

const PLAY_PATH = "M7 4.5v15L20 12z";
const PAUSE_PATH = "M6 4h4.5v16H6zM13.5 4H18v16h-4.5z";

// The crowd score, labelled and explained the same way wherever the workspace shows it.
export function crowdFigure(score, help) {
  return el("span", { class: "ws-crowd", title: help }, [`Crowd score ${fixed(score)}`]);
}

// One tracklist row. help: {crowd} (the tooltip text).
export function trackRow(track, index, count, transition, help) {
  const title = track.title || `Track ${track.id}`;
  const meta = [];
  if (track.duration_s) meta.push(formatTime(Math.round(track.duration_s)));
  if (track.key) meta.push(track.camelot ? `${track.key} (${track.camelot})` : track.key);
  if (track.tempo_bpm) meta.push(`${Math.round(track.tempo_bpm)} BPM`);
  if (track.rating_count) meta.push(`★ ${Number(track.mean).toFixed(1)} (${plural(track.rating_count, "rating")})`);
  meta.push(crowdFigure(track.crowd_score, help.crowd));
  const pick = pickLabel(track.pick);
  if (pick) meta.push(pick);
  const url = `/tracks/${track.id}/`;
  const item = el(
    "li",
    {
      class: "ws-row",
      "data-track-id": String(track.id),
      "data-title": title,
      "data-url": url,
      "data-opus": `${url}audio.opus`,
      "data-mp3": `${url}audio.mp3`,
      "data-peaks": `${url}peaks.json`,
      "data-duration": track.duration_s ?? "",
    },
    [
      el("div", { class: "ws-row-main" }, [
        el(
          "button",
          {
            type: "button",
            class: "ws-handle",
            "data-handle": "",
            "aria-label": `Move ${title} (position ${index + 1}); Alt+Up or Alt+Down moves it`,
            "aria-describedby": "ws-move-help",
          },
          [el("span", { "aria-hidden": "true" }, ["⠿"])],
        ),
        el("span", { class: "ws-position", "aria-hidden": "true" }, [String(index + 1)]),
        el("button", { type: "button", class: "play-item", "data-play-item": "", "aria-label": `Play ${title}` }, [
          icon("icon-play", PLAY_PATH),
          icon("icon-pause", PAUSE_PATH),
        ]),
        el("div", { class: "ws-row-body" }, [
          el("p", { class: "ws-row-title" }, [el("a", { href: url }, [title])]),
          el(
            "p",
            { class: "track-card-meta" },
            meta.flatMap((part, i) => [i ? " " : "", typeof part === "string" ? el("span", {}, [part]) : part]),
          ),
        ]),
        el("div", { class: "ws-row-actions" }, [
          smallButton("↑", `Move ${title} up`, { "data-move": "up" }, index === 0),
          smallButton("↓", `Move ${title} down`, { "data-move": "down" }, index === count - 1),
          smallButton("✕", `Remove ${title}`, { "data-remove": "", class: "ws-small ws-remove" }),
        ]),
      ]),
    ],
  );
  if (transition && index < count - 1) item.append(transitionLine(transition));
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
    candidate.duration_s ? formatTime(Math.round(candidate.duration_s)) : "",
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

function smallButton(text, label, attributes, disabled = false) {
  return el(
    "button",
    { type: "button", class: "ws-small", "aria-label": label, disabled: disabled ? "" : null, ...attributes },
    [text],
  );
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

export function formatLength(seconds) {
  if (!seconds) return "0:00";
  const whole = Math.round(seconds);
  if (whole < 3600) return formatTime(whole);
  const hours = Math.floor(whole / 3600);
  const rest = whole % 3600;
  return `${hours}:${String(Math.floor(rest / 60)).padStart(2, "0")}:${String(rest % 60).padStart(2, "0")}`;
}
