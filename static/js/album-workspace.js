// The producers' album workspace: the tracklist (drag and drop, or Alt+arrow keys on a row's
// handle), live totals and transitions, suggestions with the crowd/picks weight, the preview
// mix, finalizing and exports. The server renders the first state; every change goes through
// /api/v1/albums/<id>/... and the page re-renders from the workspace JSON the API answers.
import { el, formatTime, icon, plural, requestJson } from "./util.js";

const PLAY_PATH = "M7 4.5v15L20 12z";
const PAUSE_PATH = "M6 4h4.5v16H6zM13.5 4H18v16h-4.5z";
const POLL_MS = 1000;

export function initAlbumWorkspace(main) {
  const root = main.querySelector("[data-album-workspace]");
  if (!root) return null;
  const id = root.dataset.albumId;
  const api = `/api/v1/albums/${id}/`;
  const $ = (selector) => root.querySelector(selector);
  const status = $("[data-status]");
  const list = $("[data-tracklist]");
  const timers = new Set();
  let state = null; // the last workspace JSON
  let suggestion = null;
  let busy = false;
  let stopped = false;

  const say = (message, { error = false } = {}) => {
    status.textContent = message;
    status.classList.toggle("is-error", error);
  };
  const failed = (result, fallback) =>
    say(result.data?.error?.message || (result.status === 0 ? "No connection; try again." : fallback), {
      error: true,
    });

  // --- the tracklist -------------------------------------------------------------------------

  function trackIds() {
    return [...list.querySelectorAll(":scope > li[data-track-id]")].map((li) => Number(li.dataset.trackId));
  }

  async function load() {
    const result = await requestJson("GET", `${api}workspace/`);
    if (stopped) return;
    if (!result.ok) {
      failed(result, "Could not load the album.");
      return;
    }
    render(result.data);
    root.dataset.ready = "true"; // the page now shows what the API holds (tests wait for this)
  }

  // Sends the whole order (add, remove and reorder are all this), then shows what the server kept.
  async function saveTracks(ids, { message = "", focus = null } = {}) {
    if (busy) return false;
    busy = true;
    root.setAttribute("aria-busy", "true");
    const result = await requestJson("PUT", `${api}tracks/`, { tracks: ids });
    busy = false;
    root.removeAttribute("aria-busy");
    if (stopped) return false;
    if (!result.ok) {
      failed(result, "The tracklist was not saved.");
      if (state) render(state); // put the rows back as the server has them
      return false;
    }
    render(result.data);
    if (message) say(message);
    if (focus) focusRow(focus.id, focus.selector);
    return true;
  }

  function focusRow(trackId, selector = "[data-handle]") {
    const row = list.querySelector(`:scope > li[data-track-id="${trackId}"]`);
    const target = row?.querySelector(selector);
    if (target && !target.disabled) target.focus();
    else row?.querySelector("[data-handle]")?.focus();
  }

  function move(trackId, by, selector) {
    const ids = trackIds();
    const from = ids.indexOf(trackId);
    const to = from + by;
    if (from < 0 || to < 0 || to >= ids.length) return;
    ids.splice(from, 1);
    ids.splice(to, 0, trackId);
    const title = titleOf(trackId);
    saveTracks(ids, {
      message: `Moved ${title} to position ${to + 1} of ${ids.length}.`,
      focus: { id: trackId, selector },
    });
  }

  function titleOf(trackId) {
    const track = state?.tracks.find((t) => t.id === trackId);
    if (track) return track.title;
    return list.querySelector(`:scope > li[data-track-id="${trackId}"]`)?.dataset.title || `Track ${trackId}`;
  }

  function addTrack(trackId, title) {
    const ids = trackIds();
    if (ids.includes(trackId)) {
      say(`${title} is already on the album.`);
      return;
    }
    saveTracks([...ids, trackId], { message: `Added ${title} at position ${ids.length + 1}.` });
  }

  function removeTrack(trackId) {
    const ids = trackIds();
    const at = ids.indexOf(trackId);
    const title = titleOf(trackId);
    const rest = ids.filter((t) => t !== trackId);
    const next = rest[Math.min(at, rest.length - 1)];
    saveTracks(rest, {
      message: `Removed ${title}.`,
      focus: next !== undefined ? { id: next, selector: "[data-remove]" } : null,
    });
  }

  const onListClick = (event) => {
    const row = event.target.closest("li[data-track-id]");
    if (!row || !list.contains(row)) return;
    const trackId = Number(row.dataset.trackId);
    const moveButton = event.target.closest("[data-move]");
    if (moveButton) move(trackId, moveButton.dataset.move === "up" ? -1 : 1, `[data-move="${moveButton.dataset.move}"]`);
    else if (event.target.closest("[data-remove]")) removeTrack(trackId);
  };

  const onListKey = (event) => {
    const handle = event.target.closest("[data-handle]");
    if (!handle || !event.altKey) return;
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    event.preventDefault();
    const row = handle.closest("li[data-track-id]");
    move(Number(row.dataset.trackId), event.key === "ArrowUp" ? -1 : 1, "[data-handle]");
  };

  // HTML5 drag and drop: the dragged row follows the pointer; dropping saves the order.
  let dragged = null;
  const onDragStart = (event) => {
    const row = event.target.closest?.("li[data-track-id]");
    if (!row || !list.contains(row) || busy) return;
    dragged = row;
    row.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.trackId);
  };
  const onDragOver = (event) => {
    if (!dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const row = event.target.closest?.("li[data-track-id]");
    if (!row || row === dragged || !list.contains(row)) return;
    const box = row.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? row.nextSibling : row);
  };
  const onDrop = (event) => {
    if (!dragged) return;
    event.preventDefault();
    const row = dragged;
    const trackId = Number(row.dataset.trackId);
    dragged = null;
    row.classList.remove("is-dragging");
    const ids = trackIds();
    const before = state ? state.tracks.map((t) => t.id) : null;
    if (before && before.join() === ids.join()) return;
    saveTracks(ids, {
      message: `Moved ${titleOf(trackId)} to position ${ids.indexOf(trackId) + 1} of ${ids.length}.`,
    });
  };
  const onDragEnd = () => {
    if (!dragged) return;
    // Dropped outside the list: put the rows back.
    dragged.classList.remove("is-dragging");
    dragged = null;
    if (state) render(state);
  };

  list.addEventListener("click", onListClick);
  list.addEventListener("keydown", onListKey);
  list.addEventListener("dragstart", onDragStart);
  list.addEventListener("dragover", onDragOver);
  list.addEventListener("drop", onDrop);
  list.addEventListener("dragend", onDragEnd);

  // --- rendering -----------------------------------------------------------------------------

  function render(workspace) {
    state = workspace;
    const transitions = new Map(workspace.transitions.map((t) => [t.from, t]));
    const count = workspace.tracks.length;
    list.replaceChildren(
      ...workspace.tracks.map((track, index) => row(track, index, count, transitions.get(track.id))),
    );
    $("[data-tracklist-empty]").hidden = count > 0;
    renderTotals(workspace);
    renderVersions(workspace);
    renderPins(workspace);
    $("[data-album-title]").textContent = workspace.title;
    $("[data-album-description]").textContent = workspace.description;
    const published = $("[data-published]");
    const live = workspace.versions.find((v) => v.number === workspace.published_version);
    if (live || workspace.published_version) {
      const number = live ? live.number : workspace.published_version;
      published.replaceChildren(
        `Published: version ${number} · `,
        el("a", { href: root.dataset.publicUrl }, ["public page"]),
      );
    } else {
      published.textContent = "Not published yet";
    }
  }

  function row(track, index, count, transition) {
    const title = track.title || `Track ${track.id}`;
    const meta = [];
    if (track.duration_s) meta.push(formatTime(Math.round(track.duration_s)));
    if (track.key) meta.push(track.camelot ? `${track.key} (${track.camelot})` : track.key);
    if (track.tempo_bpm) meta.push(`${Math.round(track.tempo_bpm)} BPM`);
    if (track.rating_count) meta.push(`★ ${Number(track.mean).toFixed(1)} (${plural(track.rating_count, "rating")})`);
    if (track.crowd_score !== null && track.crowd_score !== undefined) meta.push(`crowd ${Number(track.crowd_score).toFixed(2)}`);
    const pick = pickLabel(track.pick);
    if (pick) meta.push(pick);
    const url = `/tracks/${track.id}/`;
    const item = el(
      "li",
      {
        class: "ws-row",
        draggable: "true",
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
            el("p", { class: "track-card-meta" }, meta.flatMap((text, i) => [i ? " " : "", el("span", {}, [text])])),
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

  function renderTotals(workspace) {
    const totals = workspace.totals;
    const set = (name, text) => {
      $(`[data-total="${name}"]`).textContent = text;
    };
    set("count", `${totals.count}${workspace.target_count ? ` of ${workspace.target_count}` : ""}`);
    set(
      "length",
      `${formatLength(totals.length_s)}${workspace.target_length_s ? ` of ${formatLength(workspace.target_length_s)}` : ""}`,
    );
    set("keys", totals.keys.length ? totals.keys.join(", ") : "—");
    set(
      "tempo",
      totals.tempo_min !== null && totals.tempo_min !== undefined
        ? `${Math.round(totals.tempo_min)}–${Math.round(totals.tempo_max)} BPM`
        : "—",
    );
  }

  function renderVersions(workspace) {
    const versions = $("[data-versions]");
    // Keep a running export's progress when the list is redrawn.
    const jobs = new Map([...versions.querySelectorAll("[data-job]")].map((job) => [job.dataset.job, job]));
    versions.replaceChildren(
      ...workspace.versions.map((version) => {
        const who = version.finalized_by;
        const name = who && typeof who === "object" ? who.username || who.name : who;
        const by = name ? ` by ${name}` : "";
        const when = new Date(version.finalized_at).toLocaleString(undefined, {
          day: "numeric",
          month: "short",
          year: "numeric",
          hour: "2-digit",
          minute: "2-digit",
        });
        const key = `export-${version.number}`;
        const job = jobs.get(key) || el("div", { class: "ws-job", "data-job": key, hidden: "" });
        return el("li", { "data-version": String(version.number) }, [
          el("p", {}, [
            el("strong", {}, [`Version ${version.number}`]),
            ` · finalized ${when}${by} · ${plural(version.track_count, "track")} · ${formatLength(version.total_s)}`,
          ]),
          el(
            "button",
            { type: "button", class: "button-secondary ws-small-button", "data-export": String(version.number) },
            [`Export version ${version.number}`],
          ),
          job,
        ]);
      }),
    );
    $("[data-versions-empty]").hidden = workspace.versions.length > 0;
  }

  // The fixed first and last tracks are chosen from the tracklist (or kept if pinned earlier).
  function renderPins(workspace) {
    for (const [which, pinned] of [["first", workspace.pinned_first], ["last", workspace.pinned_last]]) {
      const select = $(`[data-pin="${which}"]`);
      const options = workspace.tracks.map((t) => [t.id, t.title || `Track ${t.id}`]);
      if (pinned && !options.some(([trackId]) => trackId === pinned)) options.push([pinned, `Track ${pinned}`]);
      select.replaceChildren(
        el("option", { value: "" }, [`No fixed ${which} track`]),
        ...options.map(([trackId, title]) =>
          el("option", { value: String(trackId), selected: trackId === pinned ? "" : null }, [title]),
        ),
      );
    }
  }

  // --- album details ---------------------------------------------------------------------------

  const detailsForm = $("[data-details-form]");
  const onDetails = async (event) => {
    event.preventDefault();
    const form = new FormData(detailsForm);
    const number = (name) => {
      const raw = String(form.get(name) || "").trim();
      return raw === "" ? null : Number(raw);
    };
    const minutes = number("target_minutes");
    const result = await requestJson("PATCH", api, {
      title: String(form.get("title") || ""),
      description: String(form.get("description") || ""),
      target_count: number("target_count"),
      target_length_s: minutes === null ? null : Math.round(minutes * 60),
      pinned_first: number("pinned_first"),
      pinned_last: number("pinned_last"),
    });
    if (!result.ok) return failed(result, "The details were not saved.");
    render(result.data);
    say("Album details saved.");
  };
  detailsForm.addEventListener("submit", onDetails);

  // --- suggestions -------------------------------------------------------------------------------

  const weight = $("[data-weight]");
  const weightValue = $("[data-weight-value]");
  const onWeightInput = () => {
    weightValue.textContent = Number(weight.value).toFixed(2);
  };
  const onWeightChange = async () => {
    // The album remembers the slider for next time.
    const result = await requestJson("PATCH", api, { crowd_weight: Number(weight.value) });
    if (!result.ok) failed(result, "The weight was not saved.");
    else state = result.data;
  };
  weight.addEventListener("input", onWeightInput);
  weight.addEventListener("change", onWeightChange);

  async function suggest() {
    const count = Math.max(1, Math.min(100, Number($("[data-count]").value) || 10));
    say("Ranking and sequencing…");
    const params = new URLSearchParams({ weight: Number(weight.value).toFixed(2), count: String(count) });
    const result = await requestJson("GET", `${api}suggestions/?${params}`);
    if (stopped) return;
    if (!result.ok) return failed(result, "No suggestions this time; try again.");
    suggestion = result.data;
    renderSuggestion(suggestion);
    say(
      suggestion.order.length
        ? `Suggested ${plural(suggestion.order.length, "track")}, sequenced for flow.`
        : "No tracks can be suggested yet: none are ready and not vetoed.",
    );
  }

  function renderSuggestion(data) {
    const byId = new Map(data.candidates.map((c) => [c.id, c]));
    const transitions = new Map(data.transitions.map((t) => [t.from, t]));
    const order = $("[data-suggestion-order]");
    order.replaceChildren(
      ...data.order.map((trackId, index) => {
        const candidate = byId.get(trackId);
        const item = el("li", { "data-suggested": String(trackId) }, [
          el("span", { class: "ws-suggested-title" }, [candidate ? candidate.title : `Track ${trackId}`]),
          candidate ? el("span", { class: "ws-suggested-meta" }, [candidateMeta(candidate)]) : "",
        ]);
        const transition = transitions.get(trackId);
        if (transition && index < data.order.length - 1) item.append(transitionLine(transition));
        return item;
      }),
    );
    $("[data-suggestion-cost]").textContent = data.order.length
      ? `Flow cost ${Number(data.cost).toFixed(2)} (lower is smoother) at crowd weight ${Number(data.weight).toFixed(2)}.`
      : "Nothing to suggest.";
    $("[data-use-suggestion]").disabled = !data.order.length;
    const on = new Set(trackIds());
    $("[data-candidates]").replaceChildren(
      ...data.candidates.map((candidate) =>
        el("li", { "data-candidate": String(candidate.id) }, [
          el("span", { class: "ws-suggested-title" }, [candidate.title]),
          el("span", { class: "ws-suggested-meta" }, [
            `score ${fixed(candidate.score)} · crowd ${fixed(candidate.crowd)} · pick ${fixed(candidate.pick)}`,
          ]),
          el(
            "button",
            {
              type: "button",
              class: "ws-small",
              "data-add": String(candidate.id),
              "data-title": candidate.title,
              "aria-label": `Add ${candidate.title}`,
              disabled: on.has(candidate.id) ? "" : null,
            },
            ["Add"],
          ),
        ]),
      ),
    );
    $("[data-suggestion]").hidden = false;
  }

  const onSuggestClick = () => suggest();
  const onUse = async () => {
    if (!suggestion) return;
    await saveTracks(suggestion.order, {
      message: `The tracklist is now the suggestion: ${plural(suggestion.order.length, "track")}.`,
    });
  };
  const onAddClick = (event) => {
    const button = event.target.closest("[data-add]");
    if (!button || !root.contains(button)) return;
    addTrack(Number(button.dataset.add), button.dataset.title);
    button.disabled = true;
  };
  $("[data-suggest]").addEventListener("click", onSuggestClick);
  $("[data-use-suggestion]").addEventListener("click", onUse);
  root.addEventListener("click", onAddClick);

  // --- add a track by searching ---------------------------------------------------------------

  const searchForm = $("[data-search-form]");
  const results = $("[data-search-results]");
  const onSearch = async (event) => {
    event.preventDefault();
    event.stopPropagation(); // not a page navigation
    const query = searchForm.elements.search.value.trim();
    if (!query) {
      results.replaceChildren();
      return;
    }
    const result = await requestJson("GET", `/api/v1/tracks/?${new URLSearchParams({ search: query })}`);
    if (stopped) return;
    if (!result.ok) return failed(result, "The search did not work; try again.");
    const on = new Set(trackIds());
    const found = result.data.results || [];
    results.replaceChildren(
      ...found.map((track) =>
        el("li", { "data-result": String(track.id) }, [
          el("span", { class: "ws-suggested-title" }, [track.title]),
          el("span", { class: "ws-suggested-meta" }, [
            [
              track.duration_s ? formatTime(Math.round(track.duration_s)) : "",
              track.camelot || track.key || "",
              track.tempo_bpm ? `${Math.round(track.tempo_bpm)} BPM` : "",
            ]
              .filter(Boolean)
              .join(" · "),
          ]),
          el(
            "button",
            {
              type: "button",
              class: "ws-small",
              "data-add": String(track.id),
              "data-title": track.title,
              "aria-label": `Add ${track.title}`,
              disabled: on.has(track.id) ? "" : null,
            },
            ["Add"],
          ),
        ]),
      ),
    );
    say(found.length ? `${plural(found.length, "track")} found.` : `No published track matches “${query}”.`);
  };
  searchForm.addEventListener("submit", onSearch);

  // --- finalize, preview and export jobs -----------------------------------------------------------

  const onFinalize = async () => {
    const button = $("[data-finalize]");
    button.disabled = true;
    const result = await requestJson("POST", `${api}finalize/`);
    button.disabled = false;
    if (stopped) return;
    if (!result.ok) return failed(result, "The album was not finalized.");
    await load();
    say(`Finalized version ${result.data.number}; the public album page shows it now.`);
  };
  $("[data-finalize]").addEventListener("click", onFinalize);

  const onPreview = (event) =>
    startJob(`${api}preview/`, $('[data-job="preview"]'), "Preview", event.currentTarget);
  $("[data-preview]").addEventListener("click", onPreview);

  const onExport = (event) => {
    const button = event.target.closest("[data-export]");
    if (!button) return;
    const number = button.dataset.export;
    const box = root.querySelector(`[data-job="export-${number}"]`);
    startJob(`${api}versions/${number}/export/`, box, `Export of version ${number}`, button);
  };
  $("[data-versions]").addEventListener("click", onExport);

  // One job at a time per button: it is disabled until the job has finished or failed.
  async function startJob(url, box, label, button) {
    button.disabled = true;
    box.hidden = false;
    box.replaceChildren(el("p", {}, [`${label}: starting…`]));
    const result = await requestJson("POST", url);
    if (stopped) return;
    if (!result.ok) {
      button.disabled = false;
      box.replaceChildren(el("p", { class: "ws-error" }, [result.data?.error?.message || `${label} could not start.`]));
      return failed(result, `${label} could not start.`);
    }
    say(`${label} started.`);
    follow(result.data, box, label, () => {
      button.disabled = false;
    });
  }

  // Polls the job every second while it is queued or running, then shows the result.
  function follow(job, box, label, finished) {
    const progress = el("progress", { max: "1", value: String(job.progress || 0), "aria-label": `${label} progress` });
    const stage = el("p", { class: "ws-stage" }, [stageText(job)]);
    box.replaceChildren(progress, stage);
    const tick = async () => {
      timers.delete(timer);
      if (stopped) return;
      const result = await requestJson("GET", `/api/v1/album-jobs/${job.id}/`);
      if (stopped) return;
      if (!result.ok) {
        stage.textContent = result.data?.error?.message || "Lost track of the job; retrying…";
        timer = window.setTimeout(tick, POLL_MS * 3);
        timers.add(timer);
        return;
      }
      show(result.data);
    };
    let timer = null;
    const show = (current) => {
      progress.value = current.progress || 0;
      stage.textContent = stageText(current);
      if (current.status === "queued" || current.status === "running") {
        timer = window.setTimeout(tick, POLL_MS);
        timers.add(timer);
        return;
      }
      finished();
      if (current.status === "failed") {
        box.replaceChildren(el("p", { class: "ws-error" }, [`${label} failed: ${current.error || "unknown error"}`]));
        say(`${label} failed.`);
        return;
      }
      if (current.kind === "preview" && current.file_url) {
        box.replaceChildren(
          el("p", {}, ["The whole album as one continuous mix:"]),
          el("audio", { controls: "", preload: "metadata", src: current.file_url, "data-preview-audio": "" }),
        );
      } else if (current.file_url) {
        box.replaceChildren(
          el("a", { class: "button-secondary", href: current.file_url, download: "", "data-download": "" }, [
            `Download ${label.toLowerCase()}`,
          ]),
        );
      } else {
        box.replaceChildren(el("p", {}, [`${label} is done.`]));
      }
      say(`${label} is ready.`);
    };
    show(job);
  }

  load();

  return () => {
    stopped = true;
    timers.forEach((timer) => window.clearTimeout(timer));
    list.removeEventListener("click", onListClick);
    list.removeEventListener("keydown", onListKey);
    list.removeEventListener("dragstart", onDragStart);
    list.removeEventListener("dragover", onDragOver);
    list.removeEventListener("drop", onDrop);
    list.removeEventListener("dragend", onDragEnd);
    root.removeEventListener("click", onAddClick);
  };
}

function stageText(job) {
  const percent = Math.round((job.progress || 0) * 100);
  const stage = job.stage || (job.status === "queued" ? "Waiting for a worker" : "Working");
  return `${stage} (${percent}%)`;
}

function pickLabel(pick) {
  if (!pick) return "";
  if (typeof pick === "string") return pick;
  if (pick.vetoed) return "vetoed";
  if (pick.shortlisted) return "shortlisted";
  return "";
}

function fixed(value) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(2);
}

function formatLength(seconds) {
  if (!seconds) return "0:00";
  const whole = Math.round(seconds);
  if (whole < 3600) return formatTime(whole);
  const hours = Math.floor(whole / 3600);
  const rest = whole % 3600;
  return `${hours}:${String(Math.floor(rest / 60)).padStart(2, "0")}:${String(rest % 60).padStart(2, "0")}`;
}

function candidateMeta(candidate) {
  return [
    candidate.camelot || "",
    candidate.tempo_bpm ? `${Math.round(candidate.tempo_bpm)} BPM` : "",
    candidate.duration_s ? formatTime(Math.round(candidate.duration_s)) : "",
    `score ${fixed(candidate.score)}`,
  ]
    .filter(Boolean)
    .join(" · ");
}

function transitionLine(transition) {
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

