// The producers' album workspace: the tracklist (drag a row's handle, or Alt+arrow keys on
// it), live totals and transitions, suggestions with the crowd/picks weight, the preview
// mix, finalizing (after a confirmation) and exports (with stems if asked). The server renders
// the first state; every change goes through the album API, at the addresses the page gives
// (./albums/urls.js), and the page re-renders from the workspace JSON the API answers. Pieces
// live in ./albums/: the markup, the side panels, dragging, the confirmation dialog and the jobs.
import { el, formatTime, plural, requestJson } from "./util.js";
import { askToPublish } from "./albums/confirm.js";
import { jobRunner } from "./albums/jobs.js";
import { addButton, candidateItem, suggestedMeta, trackRow, transitionLine } from "./albums/markup.js";
import { renderPins, renderTotals, renderVersions } from "./albums/panels.js";
import { dragToReorder } from "./albums/reorder.js";
import { pageUrls } from "./albums/urls.js";

export function initAlbumWorkspace(main) {
  const root = main.querySelector("[data-album-workspace]");
  if (!root) return null;
  const url = pageUrls(root);
  const $ = (selector) => root.querySelector(selector);
  const status = $("[data-status]");
  const list = $("[data-tracklist]");
  const blank = $("template[data-row-blank]").content.querySelector("li"); // a row to fill in
  // The words for the crowd score and the suggestion score (from the server: one home).
  const help = { crowd: root.dataset.crowdHelp || "", suggestion: root.dataset.suggestionHelp || "" };
  const timers = new Set();
  const cleanups = [];
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
  const listen = (target, type, handler) => {
    target.addEventListener(type, handler);
    cleanups.push(() => target.removeEventListener(type, handler));
  };

  // --- the tracklist -------------------------------------------------------------------------

  function trackIds() {
    return [...list.querySelectorAll(":scope > li[data-track-id]")].map((li) => Number(li.dataset.trackId));
  }

  async function load() {
    const result = await requestJson("GET", url("workspace"));
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
    const result = await requestJson("PUT", url("tracks"), { tracks: ids });
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

  listen(list, "click", (event) => {
    const row = event.target.closest("li[data-track-id]");
    if (!row || !list.contains(row)) return;
    const trackId = Number(row.dataset.trackId);
    const moveButton = event.target.closest("[data-move]");
    if (moveButton) move(trackId, moveButton.dataset.move === "up" ? -1 : 1, `[data-move="${moveButton.dataset.move}"]`);
    else if (event.target.closest("[data-remove]")) removeTrack(trackId);
  });

  listen(list, "keydown", (event) => {
    const handle = event.target.closest("[data-handle]");
    if (!handle || !event.altKey) return;
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    event.preventDefault();
    const row = handle.closest("li[data-track-id]");
    move(Number(row.dataset.trackId), event.key === "ArrowUp" ? -1 : 1, "[data-handle]");
  });

  // Dragging a handle (mouse, pen or finger): the row follows; letting go saves the order.
  cleanups.push(
    dragToReorder(list, {
      rowSelector: "li[data-track-id]",
      handleSelector: "[data-handle]",
      canStart: () => !busy,
      // The player bar is fixed over the bottom of the page.
      visibleBottom: () => document.getElementById("player")?.getBoundingClientRect().top ?? window.innerHeight,
      onDrop: (row, rows) => {
        const trackId = Number(row.dataset.trackId);
        const ids = rows.map((li) => Number(li.dataset.trackId));
        saveTracks(ids, {
          message: `Moved ${titleOf(trackId)} to position ${ids.indexOf(trackId) + 1} of ${ids.length}.`,
          focus: { id: trackId, selector: "[data-handle]" },
        });
      },
    }),
  );

  // --- rendering -----------------------------------------------------------------------------

  function render(workspace) {
    state = workspace;
    const transitions = new Map(workspace.transitions.map((t) => [t.from, t]));
    const count = workspace.tracks.length;
    list.replaceChildren(
      ...workspace.tracks.map((track, index) => trackRow(blank, track, index, count, transitions.get(track.id), url)),
    );
    $("[data-tracklist-empty]").hidden = count > 0;
    renderTotals(root, workspace);
    renderVersions(root, workspace);
    renderPins(root, workspace);
    $("[data-album-title]").textContent = workspace.title;
    $("[data-album-description]").textContent = workspace.description;
    $('[name="allow_download"]').checked = Boolean(workspace.allow_download);
    const published = $("[data-published]");
    const live = workspace.versions.find((v) => v.number === workspace.published_version);
    if (live || workspace.published_version) {
      const number = live ? live.number : workspace.published_version;
      published.replaceChildren(
        `Published: version ${number} · `,
        el("a", { href: url("public") }, ["public page"]),
      );
    } else {
      published.textContent = "Not published yet";
    }
  }

  // --- album details ---------------------------------------------------------------------------

  const detailsForm = $("[data-details-form]");
  listen(detailsForm, "submit", async (event) => {
    event.preventDefault();
    const form = new FormData(detailsForm);
    const number = (name) => {
      const raw = String(form.get(name) || "").trim();
      return raw === "" ? null : Number(raw);
    };
    const minutes = number("target_minutes");
    const result = await requestJson("PATCH", url("album"), {
      title: String(form.get("title") || ""),
      description: String(form.get("description") || ""),
      target_count: number("target_count"),
      target_length_s: minutes === null ? null : Math.round(minutes * 60),
      pinned_first: number("pinned_first"),
      pinned_last: number("pinned_last"),
      allow_download: form.get("allow_download") !== null,
    });
    if (stopped) return;
    if (!result.ok) return failed(result, "The details were not saved.");
    render(result.data);
    say("Album details saved.");
  });

  // --- suggestions -------------------------------------------------------------------------------

  const weight = $("[data-weight]");
  const weightValue = $("[data-weight-value]");
  listen(weight, "input", () => {
    weightValue.textContent = Number(weight.value).toFixed(2);
  });
  listen(weight, "change", async () => {
    // The album remembers the slider for next time.
    const result = await requestJson("PATCH", url("album"), { crowd_weight: Number(weight.value) });
    if (!result.ok) failed(result, "The weight was not saved.");
    else state = result.data;
  });

  async function suggest() {
    const count = Math.max(1, Math.min(100, Number($("[data-count]").value) || 10));
    say("Ranking and sequencing…");
    const params = new URLSearchParams({ weight: Number(weight.value).toFixed(2), count: String(count) });
    const result = await requestJson("GET", `${url("suggestions")}?${params}`);
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
    $("[data-suggestion-order]").replaceChildren(
      ...data.order.map((trackId, index) => {
        const candidate = byId.get(trackId);
        const item = el("li", { "data-suggested": String(trackId) }, [
          el("span", { class: "ws-suggested-title" }, [candidate ? candidate.title : `Track ${trackId}`]),
          candidate ? suggestedMeta(candidate, help) : "",
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
      ...data.candidates.map((candidate) => candidateItem(candidate, on.has(candidate.id), help)),
    );
    $("[data-suggestion]").hidden = false;
  }

  listen($("[data-suggest]"), "click", () => suggest());
  listen($("[data-use-suggestion]"), "click", async () => {
    if (!suggestion) return;
    await saveTracks(suggestion.order, {
      message: `The tracklist is now the suggestion: ${plural(suggestion.order.length, "track")}.`,
    });
  });
  listen(root, "click", (event) => {
    const button = event.target.closest("[data-add]");
    if (!button || !root.contains(button)) return;
    addTrack(Number(button.dataset.add), button.dataset.title);
    button.disabled = true;
  });

  // --- add a track by searching ---------------------------------------------------------------

  const searchForm = $("[data-search-form]");
  const results = $("[data-search-results]");
  listen(searchForm, "submit", async (event) => {
    event.preventDefault();
    event.stopPropagation(); // not a page navigation
    const query = searchForm.elements.search.value.trim();
    if (!query) {
      results.replaceChildren();
      return;
    }
    const result = await requestJson("GET", `${url("search")}?${new URLSearchParams({ search: query })}`);
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
              track.duration_s ? formatTime(track.duration_s) : "",
              track.camelot || track.key || "",
              track.tempo_bpm ? `${Math.round(track.tempo_bpm)} BPM` : "",
            ]
              .filter(Boolean)
              .join(" · "),
          ]),
          addButton(track.id, track.title, on.has(track.id)),
        ]),
      ),
    );
    say(found.length ? `${plural(found.length, "track")} found.` : `No published track matches “${query}”.`);
  });

  // --- finalize (after asking), preview and export jobs ------------------------------------------

  const finalizeButton = $("[data-finalize]");
  listen(finalizeButton, "click", async () => {
    if (!state || busy) return;
    const latest = state.versions.length ? state.versions[0].number : 0;
    if (state.matches_version) {
      const same = state.matches_version;
      say(
        `Nothing has changed since version ${same}: change the tracklist, title or description to make version ${same + 1}.`,
      );
      return;
    }
    if (!state.tracks.length) {
      say("Add tracks before finalizing the album.", { error: true });
      return;
    }
    const yes = await askToPublish($("[data-confirm-publish]"), {
      number: latest + 1,
      title: state.title,
      tracks: plural(state.totals.count, "track"),
      length: formatTime(state.totals.length_s),
      replaces: state.published_version,
      download: state.allow_download,
    });
    finalizeButton.focus();
    if (stopped) return;
    if (!yes) {
      say("Nothing was published.");
      return;
    }
    finalizeButton.disabled = true;
    const result = await requestJson("POST", url("finalize"));
    finalizeButton.disabled = false;
    if (stopped) return;
    if (!result.ok) {
      failed(result, "The album was not finalized.");
      const message = status.textContent;
      await load(); // the page's copy was behind the server's; catch up, keep the message
      say(message, { error: true });
      return;
    }
    await load();
    say(`Finalized version ${result.data.number}; the public album page shows it now.`);
  });

  const jobs = jobRunner({ say, alive: () => !stopped, timers, jobUrl: (job) => url("job", job) });
  listen($("[data-preview]"), "click", (event) =>
    jobs.start(url("preview"), $('[data-job="preview"]'), "Preview", event.currentTarget),
  );
  listen($("[data-versions]"), "click", (event) => {
    const button = event.target.closest("[data-export]");
    if (!button) return;
    const number = button.dataset.export;
    const item = button.closest("[data-version]");
    const stems = Boolean(item.querySelector("[data-export-stems]")?.checked);
    const box = item.querySelector(`[data-job="export-${number}"]`);
    const label = `Export of version ${number}${stems ? " with stems" : ""}`;
    jobs.start(url("export", number), box, label, button, { stems });
  });

  load();

  return () => {
    stopped = true;
    timers.forEach((timer) => window.clearTimeout(timer));
    cleanups.forEach((cleanup) => cleanup());
    const dialog = $("[data-confirm-publish]");
    if (dialog?.open) dialog.close();
  };
}
