// The workspace's side panels, redrawn from the workspace JSON: the totals, the version
// history (keeping a running export's progress and each "Include stems" choice) and the fixed
// first and last tracks.
import { el, formatDateTime, formatTime, plural } from "../util.js";

export function renderTotals(root, workspace) {
  const $ = (selector) => root.querySelector(selector);
  const totals = workspace.totals;
  const set = (name, text) => {
    $(`[data-total="${name}"]`).textContent = text;
  };
  set("count", `${totals.count}${workspace.target_count ? ` of ${workspace.target_count}` : ""}`);
  set(
    "length",
    `${formatTime(totals.length_s)}${workspace.target_length_s ? ` of ${formatTime(workspace.target_length_s)}` : ""}`,
  );
  set("keys", totals.keys.length ? totals.keys.join(", ") : "—");
  set(
    "tempo",
    totals.tempo_min !== null && totals.tempo_min !== undefined
      ? `${Math.round(totals.tempo_min)}–${Math.round(totals.tempo_max)} BPM`
      : "—",
  );
}

export function renderVersions(root, workspace) {
  const $ = (selector) => root.querySelector(selector);
  const versions = $("[data-versions]");
  // Keep a running export's progress, and what was ticked, when the list is redrawn.
  const jobs = new Map([...versions.querySelectorAll("[data-job]")].map((job) => [job.dataset.job, job]));
  const ticked = new Set(
    [...versions.querySelectorAll("[data-export-stems]:checked")].map((box) => box.closest("li").dataset.version),
  );
  versions.replaceChildren(
    ...workspace.versions.map((version) => {
      const who = version.finalized_by;
      const name = who && typeof who === "object" ? who.username || who.name : who;
      const by = name ? ` by ${name}` : "";
      const when = formatDateTime(version.finalized_at); // as the server writes dates
      const number = String(version.number);
      const key = `export-${number}`;
      const job = jobs.get(key) || el("div", { class: "ws-job", "data-job": key, hidden: "" });
      const box = `ws-stems-${number}`;
      return el("li", { "data-version": number }, [
        el("p", {}, [
          el("strong", {}, [`Version ${number}`]),
          ` · finalized ${when}${by} · ${plural(version.track_count, "track")} · ${formatTime(version.total_s)}`,
        ]),
        el("div", { class: "ws-export" }, [
          el("button", { type: "button", class: "button-secondary ws-small-button", "data-export": number }, [
            `Export version ${number}`,
          ]),
          " ",
          el("span", { class: "ws-export-stems" }, [
            el("input", {
              id: box,
              type: "checkbox",
              "data-export-stems": "",
              "aria-describedby": "ws-stems-help",
              checked: ticked.has(number) ? "" : null,
            }),
            " ",
            el("label", { for: box }, ["Include stems"]),
          ]),
        ]),
        job,
      ]);
    }),
  );
  $("[data-stems-help]").hidden = workspace.versions.length === 0;
  $("[data-versions-empty]").hidden = workspace.versions.length > 0;
}

// The fixed first and last tracks are chosen from the tracklist (or kept if pinned earlier).
export function renderPins(root, workspace) {
  const $ = (selector) => root.querySelector(selector);
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
