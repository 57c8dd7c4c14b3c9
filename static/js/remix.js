// The producer's remix form: ticked rows become variations posted to the remix API; errors
// from the API ({"error": {"message"}}) are shown in the form, queued batches in the list.
// Events are delegated from the document, so the form works after in-place navigation too.
import { requestJson } from "./util.js";

const ROWS = [
  ["tempo_on", (data) => ({ tempo_bpm: Number(data.get("tempo_bpm")) })],
  ["key_on", (data) => ({ tonic: data.get("tonic"), mode: data.get("mode") })],
  ["instrumentation_on", (data) => ({ instrumentation: data.get("instrumentation") })],
  ["temperature_on", (data) => ({ temperature: Number(data.get("temperature")) })],
];

function variationsOf(form) {
  const data = new FormData(form);
  return ROWS.filter(([toggle]) => data.get(toggle)).map(([, build]) => build(data));
}

function show(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

function addBatch(root, batch) {
  const list = root.querySelector("[data-remix-list]");
  if (!list) return;
  list.querySelector("[data-remix-empty]")?.remove();
  const item = document.createElement("li");
  item.dataset.remixBatch = String(batch.id);
  item.textContent = `Batch ${batch.id} · ${batch.count} track${batch.count === 1 ? "" : "s"} queued`;
  list.prepend(item);
}

async function onSubmit(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-remix-form]")) return;
  event.preventDefault();
  const root = form.closest("[data-remix]");
  const error = form.querySelector("[data-remix-error]");
  const status = form.querySelector("[data-remix-status]");
  const button = form.querySelector('button[type="submit"]');
  show(error, "");
  status.textContent = "";
  const variations = variationsOf(form);
  if (!variations.length) {
    show(error, "Tick at least one change (tempo, key, instruments or temperature).");
    return;
  }
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  const { ok, status: code, data } = await requestJson("POST", root.dataset.remixUrl, {
    variations,
  });
  button.disabled = false;
  form.removeAttribute("aria-busy");
  if (!ok) {
    const message =
      data?.error?.message || (code === 0 ? "Network error: try again." : `Failed (${code}).`);
    show(error, message);
    return;
  }
  status.textContent = `Queued batch ${data.id}: ${data.count} remix${data.count === 1 ? "" : "es"}.`;
  addBatch(root, data);
}

// app.js imports this module once per page load, so this listener is added once.
document.addEventListener("submit", onSubmit);
