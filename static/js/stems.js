// The producer's stems page: while a worker renders the stems, show its progress, then load
// the page again, which offers the download (or says why it failed).
import { requestJson } from "./util.js";

const box = document.querySelector("[data-stems-job]");
if (box) {
  const progress = box.querySelector("progress");
  const stage = box.querySelector("[data-stems-stage]");
  const tick = async () => {
    const result = await requestJson("GET", box.dataset.stemsJob);
    if (result.ok) {
      progress.value = result.data.progress;
      stage.textContent = result.data.stage;
      if (result.data.status === "done" || result.data.status === "failed") {
        window.location.reload();
        return;
      }
    }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 1000);
}
