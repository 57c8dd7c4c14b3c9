// The arena page: two anonymous tracks played through the site's one player, so only one
// plays at a time, each with its waveform and its length from the server. Voting unlocks once
// the server has counted enough of each (from the player's own listening reports); keys A/B
// switch tracks and 1-4 vote; the vote stops the music and reveals the names; the next pair
// (and the refit leaderboard) comes from a fresh copy of the page, swapped in place.
import { Waveform, loadPeaks } from "./waveform.js";
import { formatTime, requestJson } from "./util.js";

// While a side is short of the listen gate, report this often (the player's heartbeat alone
// reports every 5 s), so "Heard n of 10 s" keeps up with the music.
const COUNT_EVERY_MS = 2000;
const VOTE_KEYS = { 1: "a", 2: "b", 3: "tie", 4: "both_bad" };

export function initArenaPage(main, { player }) {
  const root = main.querySelector("[data-arena]");
  if (!root) return null;
  let pair = wirePair(root, player);
  let loading = false;

  async function nextPair(href) {
    if (loading) return;
    loading = true;
    root.setAttribute("aria-busy", "true");
    const fresh = await fetchPage(href);
    loading = false;
    root.removeAttribute("aria-busy");
    const freshPair = fresh?.querySelector("[data-arena]");
    if (!freshPair) {
      window.location.assign(href); // no pair any more, or no answer: the page says why
      return;
    }
    // Peaks first, so the new waveforms draw complete in the same frame as the swap.
    const peaks = [...freshPair.querySelectorAll("[data-peaks]")].map((side) => side.dataset.peaks);
    await Promise.all(peaks.map(loadPeaks));
    pair.destroy();
    root.replaceChildren(...[...freshPair.childNodes].map((node) => document.adoptNode(node)));
    const board = main.querySelector("[data-arena-board]");
    const freshBoard = fresh.querySelector("[data-arena-board]");
    if (board && freshBoard) board.replaceWith(document.adoptNode(freshBoard));
    pair = wirePair(root, player);
    if (!pair.ready()) pair.status("A new pair: play both tracks to unlock voting.");
    pair.focusFirst();
  }

  const onClick = (event) => {
    const link = event.target.closest("[data-next]");
    if (!link || !root.contains(link)) return;
    event.preventDefault(); // before nav.js, which would load the whole page
    nextPair(link.href);
  };
  const onKey = (event) => {
    if (event.defaultPrevented || event.repeat) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = "input, textarea, select, [contenteditable]";
    if (event.target instanceof Element && event.target.closest(typing)) return;
    const key = event.key.toLowerCase();
    if (key === "n") {
      const link = root.querySelector("[data-next]");
      if (link && !link.hidden) nextPair(link.href);
      else return;
    } else if (!pair.key(key)) {
      return;
    }
    event.preventDefault();
  };
  root.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  return () => {
    pair.destroy();
    // An anonymous arena track means nothing on another page.
    if (pair.holdsPlayer()) player.audio.pause();
    root.removeEventListener("click", onClick);
    document.removeEventListener("keydown", onKey);
  };
}

async function fetchPage(href) {
  try {
    const response = await fetch(href, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (!response.ok) return null;
    return new DOMParser().parseFromString(await response.text(), "text/html");
  } catch {
    return null;
  }
}

// One pair on the page: its two sides, the listen gate and the verdict buttons.
function wirePair(root, player) {
  const needed = Number(root.dataset.listenEach);
  const statusBox = root.querySelector("[data-status]");
  const buttons = [...root.querySelectorAll("[data-vote]")];
  const nextLink = root.querySelector("[data-next]");
  let voted = false;
  let sending = false; // a vote on its way: keys pressed meanwhile must not send another
  let counting = null;
  const sides = [...root.querySelectorAll("[data-side]")].map((element) => side(element));

  function side(element) {
    const key = element.dataset.side;
    const label = key.toUpperCase();
    const duration = parseFloat(element.dataset.duration);
    const track = {
      id: Number(element.dataset.track),
      title: `Arena: track ${label}`, // the name waits for the vote
      url: `${window.location.pathname}${window.location.search}#arena-side-${key}`,
      audio: { opus: element.dataset.opus, mp3: element.dataset.mp3 },
      peaks_url: element.dataset.peaks,
      duration_s: Number.isFinite(duration) ? duration : null,
    };
    const entry = {
      element,
      label,
      track,
      heard: parseFloat(element.dataset.listened) || 0, // as the server had counted it
      position: 0, // where this side was left, to resume there after the other side
      button: element.querySelector("[data-arena-play]"),
      elapsed: element.querySelector("[data-elapsed]"),
      heardText: element.querySelector("[data-heard]"),
      heardBar: element.querySelector("[data-heard-bar]"),
    };
    entry.waveform = new Waveform(element.querySelector("[data-waveform]"), {
      onSeek: (seconds) => {
        if (player.track === track) {
          player.seek(seconds);
        } else {
          entry.position = seconds;
          play(entry);
        }
      },
    });
    entry.waveform.setDuration(track.duration_s || 0);
    loadPeaks(track.peaks_url).then((peaks) => entry.waveform.setPeaks(peaks));
    entry.onClick = () => play(entry);
    entry.button.addEventListener("click", entry.onClick);
    return entry;
  }

  // Plays a side (pausing the other, as the one player holds one track) from where it was
  // left; pressing it again while it plays pauses it.
  function play(entry) {
    if (voted) return;
    if (holds(entry)) {
      player.toggle();
      return;
    }
    const { position } = entry;
    // Switching sides is comparing, not skipping: the player reports a pause, not a skip.
    // Fresh: a track met in the last pair is this pair's side now, from its own start.
    player.playFrom([entry.track], 0, { skip: false, fresh: true });
    const end = entry.track.duration_s || Infinity;
    if (position > 0.5 && position < end - 0.5) player.seek(position);
  }

  // The player holds this side (this pair's track object: the same track in the last pair
  // was another side, with its own label and position).
  function holds(entry) {
    return player.track === entry.track;
  }

  function current() {
    return sides.find(holds) || null;
  }

  function render() {
    const playing = current();
    for (const entry of sides) {
      const isPlaying = entry === playing && player.playing;
      entry.button.classList.toggle("is-playing", isPlaying);
      const action = isPlaying ? "Pause" : "Play";
      entry.button.setAttribute("aria-label", `${action} track ${entry.label}`);
      entry.element.classList.toggle("is-current", entry === playing);
      entry.element.classList.toggle("is-playing", isPlaying);
    }
    const short = playing && player.playing && playing.heard < needed;
    if (short && counting === null) {
      counting = window.setInterval(() => player.flushListening(), COUNT_EVERY_MS);
    } else if (!short && counting !== null) {
      window.clearInterval(counting);
      counting = null;
    }
  }

  const onTime = (event) => {
    const entry = sides.find((s) => s.track === event.detail.track);
    if (!entry) return;
    entry.position = event.detail.position;
    entry.elapsed.textContent = formatTime(event.detail.position);
    entry.waveform.setPosition(event.detail.position);
  };

  // The player's listening reports come back with what the server has counted.
  const onListened = (event) => {
    const entry = sides.find((s) => s.track.id === event.detail.track);
    if (!entry) return;
    entry.heard = Math.max(entry.heard, event.detail.listened_s);
    const shown = Math.min(Math.floor(entry.heard), needed);
    entry.heardText.textContent = `Heard ${shown} of ${needed} s`;
    entry.heardBar.style.setProperty("--heard", String(Math.min(1, entry.heard / needed)));
    entry.element.classList.toggle("is-heard", heardEnough(entry));
    unlock();
    render();
  };

  function heardEnough(entry) {
    return entry.heard + 1e-6 >= needed;
  }

  function ready() {
    return sides.every(heardEnough);
  }

  function unlock() {
    buttons.forEach((button) => {
      button.disabled = !ready() || voted || sending;
    });
    if (ready() && !voted) status("Which is better? Vote with the buttons or keys 1 to 4.");
  }

  function status(text) {
    statusBox.textContent = text;
  }

  function stop() {
    if (current() && player.playing) player.audio.pause();
  }

  async function vote(outcome) {
    if (voted || sending || !ready()) return;
    sending = true;
    stop(); // the verdict is in: no more music from this pair
    buttons.forEach((button) => {
      button.disabled = true;
    });
    const [a, b] = sides;
    const result = await requestJson("POST", root.dataset.voteUrl, {
      track_a: a.track.id,
      track_b: b.track.id,
      outcome,
    });
    sending = false;
    if (!result.ok) {
      status(result.data?.error?.message || "The vote did not go through; try again.");
      unlock();
      return;
    }
    voted = true;
    root.dataset.voted = "true";
    for (const [key, entry] of [["a", a], ["b", b]]) {
      const reveal = entry.element.querySelector("[data-reveal]");
      const track = result.data.revealed[key];
      const link = document.createElement("a");
      // The page's link for the side: it gives away no more than its data-track id does.
      link.href = entry.element.dataset.revealUrl;
      link.textContent = track.title || `Track ${track.id}`;
      reveal.replaceChildren("It was ", link);
      entry.button.disabled = true;
    }
    render();
    status(
      result.data.counted
        ? "Thanks — your vote counts in the next refit, within a minute."
        : `Thanks. ${root.dataset.heldNote}`,
    );
    nextLink.hidden = false;
  }

  const voteClicks = buttons.map((button) => {
    const onClick = () => vote(button.dataset.vote);
    button.addEventListener("click", onClick);
    return [button, onClick];
  });
  player.addEventListener("change", render);
  player.addEventListener("time", onTime);
  document.addEventListener("albumvote:listened", onListened);
  sides.forEach((entry) => entry.element.classList.toggle("is-heard", heardEnough(entry)));
  unlock();
  render();

  return {
    status,
    ready,
    holdsPlayer: () => current() !== null,
    focusFirst: () => sides[0]?.button.focus({ preventScroll: true }),
    // A key the arena knows: true if it did something with it.
    key(key) {
      const entry = sides.find((s) => s.element.dataset.side === key);
      if (entry) {
        play(entry);
        return true;
      }
      const outcome = VOTE_KEYS[key];
      if (!outcome) return false;
      if (!ready()) status(`Listen to each track for ${needed} s first, then vote.`);
      else vote(outcome);
      return true;
    },
    destroy() {
      if (counting !== null) window.clearInterval(counting);
      sides.forEach((entry) => {
        entry.button.removeEventListener("click", entry.onClick);
        entry.waveform.destroy();
      });
      voteClicks.forEach(([button, onClick]) => button.removeEventListener("click", onClick));
      player.removeEventListener("change", render);
      player.removeEventListener("time", onTime);
      document.removeEventListener("albumvote:listened", onListened);
    },
  };
}
