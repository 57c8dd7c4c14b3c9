// Album jobs in the workspace (the preview mix, export archives): start one, then follow its
// progress until it is done or failed. One job at a time per button: the button is disabled
// until the job has finished or failed.
import { el, requestJson } from "../util.js";

const POLL_MS = 1000;

// say(message, {error}) reports to the workspace's status line; alive() is false once the
// page has been left (nothing more is fetched or drawn then); timers collects the polls;
// jobUrl(id) is where a job is followed.
export function jobRunner({ say, alive, timers, jobUrl }) {
  // body: what the job is asked for with (an export's {stems}), or nothing.
  async function start(url, box, label, button, body = undefined) {
    button.disabled = true;
    box.hidden = false;
    box.replaceChildren(el("p", {}, [`${label}: starting…`]));
    const result = await requestJson("POST", url, body);
    if (!alive()) return;
    if (!result.ok) {
      button.disabled = false;
      const message =
        result.data?.error?.message || (result.status === 0 ? "No connection; try again." : `${label} could not start.`);
      box.replaceChildren(el("p", { class: "ws-error" }, [message]));
      say(message, { error: true });
      return;
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
    let timer = null;
    const later = (ms) => {
      timer = window.setTimeout(tick, ms);
      timers.add(timer);
    };
    const tick = async () => {
      timers.delete(timer);
      if (!alive()) return;
      const result = await requestJson("GET", jobUrl(job.id));
      if (!alive()) return;
      if (!result.ok) {
        stage.textContent = result.data?.error?.message || "Lost track of the job; retrying…";
        later(POLL_MS * 3);
        return;
      }
      show(result.data);
    };
    const show = (current) => {
      progress.value = current.progress || 0;
      stage.textContent = stageText(current);
      if (current.status === "queued" || current.status === "running") {
        later(POLL_MS);
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

  return { start };
}

function stageText(job) {
  const percent = Math.round((job.progress || 0) * 100);
  const stage = job.stage || (job.status === "queued" ? "Waiting for a worker" : "Working");
  return `${stage} (${percent}%)`;
}
