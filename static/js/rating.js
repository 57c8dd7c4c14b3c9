// The track page: the hero play button and waveform, the listener's stars (rating unlocks
// after listening; refusals are shown, not swallowed) and the crowd's figures, kept live.
import { Waveform, loadPeaks } from "./waveform.js";
import { flash, plural, requestJson } from "./util.js";

function readJson(main, id) {
  const script = main.querySelector(`script#${id}`);
  return script ? JSON.parse(script.textContent) : null;
}

// The player's idea of a track, from the page's summary.
export function trackFromSummary(summary) {
  return {
    id: summary.id,
    title: summary.title,
    url: summary.url,
    audio: summary.audio,
    peaks_url: summary.peaks_url,
    duration_s: summary.duration_s,
  };
}

export function initTrackPage(main, { player, live }) {
  const root = main.querySelector("[data-track-page]");
  const summary = readJson(main, "track-summary");
  if (!root || !summary) return null;
  const track = trackFromSummary(summary);
  const cleanups = [];
  cleanups.push(heroControls(root, track, player));
  cleanups.push(ratingWidget(root, main, track, player, live));
  return () => cleanups.forEach((cleanup) => cleanup());
}

function heroControls(root, track, player) {
  const button = root.querySelector("[data-play-track]");
  const waveform = new Waveform(root.querySelector("[data-waveform]"), {
    onSeek: (seconds) => {
      if (!player.isCurrent(track.id)) player.playFrom([track], 0);
      player.seek(seconds);
    },
  });
  waveform.setDuration(track.duration_s || 0);
  loadPeaks(track.peaks_url).then((peaks) => waveform.setPeaks(peaks));

  const onClick = () => player.playFrom([track], 0);
  const update = () => {
    const playing = player.isCurrent(track.id) && player.playing;
    button.setAttribute("aria-label", `${playing ? "Pause" : "Play"} ${track.title}`);
    button.classList.toggle("is-playing", playing);
  };
  const onTime = (event) => {
    if (player.isCurrent(track.id)) waveform.setPosition(event.detail.position);
  };
  button.addEventListener("click", onClick);
  player.addEventListener("change", update);
  player.addEventListener("time", onTime);
  update();
  if (player.isCurrent(track.id)) waveform.setPosition(player.audio.currentTime);
  return () => {
    button.removeEventListener("click", onClick);
    player.removeEventListener("change", update);
    player.removeEventListener("time", onTime);
    waveform.destroy();
  };
}

// While the stars are locked and this track plays, the player reports this often, so the
// count on the stars keeps up with the music (the heartbeat alone reports every 5 s).
const COUNT_EVERY_MS = 2000;

// The listen-first figures in whole seconds, from the server's own figures (what it has
// counted, not what the player shows): counted rounds down and needed rounds up, as the
// server's refusal says them (curation/views.listen_progress renders the same).
function listenProgress(mine) {
  const required = Math.ceil(mine.required_s);
  const counted = Math.min(Math.floor(mine.listened_s), required);
  return {
    required,
    counted,
    left: Math.max(1, required - counted),
    share: mine.required_s > 0 ? Math.min(1, mine.listened_s / mine.required_s) : 1,
  };
}

function ratingWidget(root, main, track, player, live) {
  const widget = root.querySelector("[data-rating-widget]");
  const crowd = root.querySelector("[data-crowd]");
  const group = widget.querySelector("[data-stars-group]");
  const stars = [...widget.querySelectorAll("[data-stars]")];
  const removeButton = widget.querySelector("[data-remove-rating]");
  const hint = widget.querySelector("[data-listen-hint]");
  const errorBox = widget.querySelector("[data-rating-error]");
  const statusBox = widget.querySelector("[data-rating-status]");
  const announce = crowd.querySelector("[data-rating-announce]");
  const endpoint = widget.dataset.ratingUrl;
  // A new listener's rating is kept but counts only once they have listened a while in all;
  // the page's words for it, with the figure the server uses.
  const heldNote = widget.dataset.heldNote;
  const topic = `track:${track.id}`;

  let rating = readJson(main, "track-rating");
  // Stars, and listening as the server has counted it; updated by its answers only.
  const mine = readJson(main, "track-mine");
  let busy = false;
  let counting = null; // the faster reporting timer, while locked and playing

  const locked = () => !mine.stars && !mine.can_rate;
  const playingHere = () => player.isCurrent(track.id) && player.playing;

  function renderMine() {
    stars.forEach((button) => {
      const value = Number(button.dataset.stars);
      button.setAttribute("aria-pressed", String(mine.stars === value));
      button.classList.toggle("is-on", Boolean(mine.stars) && value <= mine.stars);
    });
    removeButton.hidden = !mine.stars;
    const { required, counted, left, share } = listenProgress(mine);
    const isLocked = locked();
    widget.classList.toggle("is-locked", isLocked);
    group.style.setProperty("--heard", isLocked ? share.toFixed(3) : "1");
    group.setAttribute("aria-label", isLocked ? `Listen ${left} s more to rate` : "Rate this track");
    if (mine.stars) hint.textContent = `You rated this track ${plural(mine.stars, "star")}.${mine.counted ? "" : ` ${heldNote}`}`;
    else if (!isLocked) hint.textContent = "You can rate this track now.";
    else hint.textContent = `Listen ${left} s more to rate — ${counted} s of ${required} s counted so far.`;
    // A message in the status box says the same and more: one confirmation, not two.
    hint.hidden = Boolean(statusBox.textContent);
    pace();
  }

  // Report faster only while it helps: locked, and this track playing.
  function pace() {
    const wanted = locked() && playingHere();
    if (wanted && counting === null) {
      counting = window.setInterval(() => {
        if (locked() && playingHere()) player.flushListening();
      }, COUNT_EVERY_MS);
    } else if (!wanted && counting !== null) {
      window.clearInterval(counting);
      counting = null;
    }
  }

  function renderCrowd() {
    const average = crowd.querySelector("[data-average]");
    average.hidden = rating.average === null;
    average.textContent = rating.average === null ? "" : Number(rating.average).toFixed(1);
    crowd.querySelector("[data-count-text]").textContent = rating.count
      ? `average from ${plural(rating.count, "rating")}`
      : "No ratings yet — be the first.";
    crowd.querySelectorAll("[data-dist]").forEach((row) => {
      const n = rating.distribution[row.dataset.dist] || 0;
      row.querySelector("[data-dist-count]").textContent = String(n);
      const share = rating.count ? Math.round((n / rating.count) * 100) : 0;
      row.querySelector(".dist-fill").style.width = `${share}%`;
    });
  }

  function describe() {
    return rating.count
      ? `Average ${Number(rating.average).toFixed(1)} from ${plural(rating.count, "rating")}`
      : "No ratings yet";
  }

  // The crowd's figures, from live.js whenever they change: after a vote of others, or ours
  // (offered to it, so that a late copy of the older figures cannot undo it). Others' are read out.
  function showRating(next, { source }) {
    rating = next;
    renderCrowd();
    flash(crowd, "is-updated");
    if (source !== "local") announce.textContent = describe();
  }

  function showError(message) {
    statusBox.textContent = "";
    errorBox.textContent = message;
    renderMine();
  }

  function showStatus(message) {
    errorBox.textContent = "";
    statusBox.textContent = message;
    renderMine();
  }

  function refused(result, fallback) {
    const error = result.data?.error;
    if (!error) {
      showError(result.status === 0 ? "Could not reach AlbumVote. Check your connection and try again." : fallback);
      return;
    }
    if (error.code === "listen_first" && error.details) {
      mine.listened_s = error.details.listened_s ?? mine.listened_s;
      mine.required_s = error.details.required_s ?? mine.required_s;
      mine.can_rate = false;
      // The figures go to the stars and the hint, which follow the listening as the server
      // counts it; a number in the refusal would be stale a second later.
      showError("Listen a little longer before rating: the stars fill as your listening is counted.");
      return;
    }
    showError(error.message);
  }

  async function rate(value) {
    if (busy) return;
    busy = true;
    widget.setAttribute("aria-busy", "true");
    // Let the server hear about the listening done so far before it judges the rating.
    if (player.isCurrent(track.id)) await player.flushListening();
    // Over the page's open socket when it can carry it, else over HTTP (live.request says).
    const frame = { type: "rate", track: track.id, stars: value };
    const result =
      (await live.request(frame)) ?? (await requestJson("POST", endpoint, { stars: value }));
    busy = false;
    widget.removeAttribute("aria-busy");
    if (!result.ok) {
      refused(result, "Your rating could not be saved. Please try again.");
      return;
    }
    mine.stars = result.data.stars;
    mine.counted = result.data.counted;
    mine.can_rate = true;
    live.offer(topic, result.data.rating);
    const after = mine.counted ? `${describe()}.` : heldNote;
    showStatus(`Thanks — you rated this track ${plural(mine.stars, "star")}. ${after}`);
  }

  async function withdraw() {
    if (busy) return;
    busy = true;
    const result = await requestJson("DELETE", endpoint);
    busy = false;
    if (!result.ok) {
      refused(result, "Your rating could not be removed. Please try again.");
      return;
    }
    mine.stars = null;
    mine.counted = false;
    live.offer(topic, result.data.rating);
    showStatus(`Your rating was removed. ${describe()}.`);
    stars[0].focus();
  }

  const onStar = (event) => rate(Number(event.currentTarget.dataset.stars));
  const onRemove = () => withdraw();
  stars.forEach((button) => button.addEventListener("click", onStar));
  removeButton.addEventListener("click", onRemove);

  // The server's answers to the player's listening reports: what it has counted so far.
  const onListened = (event) => {
    const result = event.detail;
    if (result.track !== track.id || typeof result.listened_s !== "number") return;
    const wasLocked = locked();
    mine.listened_s = result.listened_s;
    mine.required_s = result.required_s ?? mine.required_s;
    mine.can_rate = Boolean(result.can_rate);
    // Rating is allowed now: the refusal goes at once (showStatus clears it).
    if (wasLocked && !locked()) showStatus("You can rate this track now.");
    else renderMine();
  };
  const onPlayer = () => pace();
  document.addEventListener("albumvote:listened", onListened);
  player.addEventListener("change", onPlayer);

  const unwatch = live.watch([topic], showRating, { [topic]: rating });

  renderMine();
  return () => {
    stars.forEach((button) => button.removeEventListener("click", onStar));
    removeButton.removeEventListener("click", onRemove);
    document.removeEventListener("albumvote:listened", onListened);
    player.removeEventListener("change", onPlayer);
    if (counting !== null) window.clearInterval(counting);
    unwatch();
  };
}
