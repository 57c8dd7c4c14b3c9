// The arena page: two anonymous tracks, each reporting what was heard (as the player does),
// voting unlocked once both have been heard long enough, then the names revealed.
import { ListeningReporter } from "./listening.js";
import { requestJson } from "./util.js";

const PROGRESS_EVERY_S = 2;

export function initArenaPage(main, { player } = {}) {
  const root = main.querySelector("[data-arena]");
  if (!root) return null;
  const needed = Number(root.dataset.listenEach);
  const status = root.querySelector("[data-status]");
  const buttons = [...root.querySelectorAll("[data-vote]")];
  const heard = {};
  const sides = [...root.querySelectorAll("[data-side]")].map((side) => wire(side));

  function wire(side) {
    const track = Number(side.dataset.track);
    const audio = side.querySelector("[data-arena-audio]");
    const label = side.querySelector("[data-heard]");
    heard[track] = 0;
    const reporter = new ListeningReporter({
      onResult: (result) => {
        heard[track] = result.listened_s;
        const shown = Math.min(Math.floor(result.listened_s), needed);
        label.textContent = `Heard ${shown} of ${needed} s`;
        unlock();
      },
    });
    reporter.start(track);
    let lastProgress = 0;
    audio.addEventListener("play", () => {
      if (player && !player.audio.paused) player.audio.pause(); // one thing at a time
      reporter.record("play", audio.currentTime);
      reporter.flush();
    });
    audio.addEventListener("timeupdate", () => {
      if (audio.paused || audio.currentTime - lastProgress < PROGRESS_EVERY_S) return;
      lastProgress = audio.currentTime;
      reporter.record("progress", audio.currentTime);
      reporter.flush();
    });
    audio.addEventListener("pause", () => {
      if (audio.ended) return;
      reporter.record("pause", audio.currentTime);
      reporter.flush();
    });
    audio.addEventListener("ended", () => {
      reporter.record("complete", audio.currentTime);
      reporter.flush();
    });
    return { side, track, audio, reporter };
  }

  function unlock() {
    const ready = sides.every(({ track }) => heard[track] + 1e-6 >= needed);
    buttons.forEach((button) => {
      button.disabled = !ready || root.dataset.voted === "true";
    });
    if (ready && root.dataset.voted !== "true") status.textContent = "Which is better?";
  }

  async function vote(outcome) {
    buttons.forEach((button) => {
      button.disabled = true;
    });
    const [a, b] = sides;
    const result = await requestJson("POST", "/api/v1/arena/votes/", {
      track_a: a.track,
      track_b: b.track,
      outcome,
    });
    if (!result.ok) {
      status.textContent = result.data?.error?.message || "The vote did not go through; try again.";
      unlock();
      return;
    }
    root.dataset.voted = "true";
    for (const [key, side] of [["a", a], ["b", b]]) {
      const reveal = side.side.querySelector("[data-reveal]");
      const track = result.data.revealed[key];
      reveal.textContent = "";
      const link = document.createElement("a");
      link.href = `/tracks/${track.id}/`;
      link.textContent = track.title || `Track ${track.id}`;
      reveal.append("It was ", link);
      reveal.hidden = false;
    }
    status.textContent = "Thanks — your vote counts in the next refit, within a minute.";
    root.querySelector("[data-next]").hidden = false;
  }

  buttons.forEach((button) => button.addEventListener("click", () => vote(button.dataset.vote)));
  const flushAll = () => sides.forEach(({ reporter }) => reporter.flush({ unloading: true }));
  window.addEventListener("pagehide", flushAll);
  return () => {
    flushAll();
    sides.forEach(({ audio }) => audio.pause());
    window.removeEventListener("pagehide", flushAll);
  };
}
