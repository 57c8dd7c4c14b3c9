// The persistent player: one <audio> element, the queue (the list the listener pressed play
// in), the player bar's buttons, time and waveform. Reports what happens through listening.js.
// It lives outside <main>, so in-place navigation (nav.js) never interrupts it.
import { ListeningReporter } from "./listening.js";
import { Waveform, loadPeaks } from "./waveform.js";
import { formatTime } from "./util.js";

const HEARTBEAT_MS = 5000;
const OPUS = 'audio/ogg; codecs="opus"';

export class Player extends EventTarget {
  constructor(root) {
    super();
    this.root = root;
    this.audio = root.querySelector('[data-player="audio"]');
    this.buttons = {
      toggle: root.querySelector('[data-player="toggle"]'),
      prev: root.querySelector('[data-player="prev"]'),
      next: root.querySelector('[data-player="next"]'),
    };
    this.titleLink = root.querySelector('[data-player="title"]');
    this.elapsed = root.querySelector('[data-player="elapsed"]');
    this.total = root.querySelector('[data-player="total"]');
    this.waveform = new Waveform(root.querySelector('[data-player="waveform"]'), {
      onSeek: (seconds) => this.seek(seconds),
    });
    this.waveform.setEnabled(false);

    this.queue = [];
    this.index = -1;
    this.track = null;
    this.attached = null; // the track whose sources the <audio> element holds
    this.engaged = false; // once the listener has pressed play, pages stop cueing tracks
    this.completed = false;
    this.heartbeat = null;
    this.opusFirst = this.audio.canPlayType(OPUS) !== "";
    this.reporter = new ListeningReporter({
      onResult: (result) =>
        document.dispatchEvent(new CustomEvent("albumvote:listened", { detail: result })),
    });

    this.buttons.toggle.addEventListener("click", () => this.toggle());
    this.buttons.prev.addEventListener("click", () => this.previous());
    this.buttons.next.addEventListener("click", () => this.next());
    this.bindAudio();
    this.bindMediaSession();
  }

  // --- what pages ask for ---------------------------------------------------------------

  get playing() {
    return Boolean(this.track) && !this.audio.paused && !this.audio.ended;
  }

  isCurrent(trackId) {
    return Boolean(this.track) && this.track.id === trackId;
  }

  // Shows a page's track in the bar, ready to play, until the listener has played something.
  cue(queue, index = 0) {
    if (this.engaged || !queue.length) return;
    if (this.isCurrent(queue[index].id)) {
      this.queue = queue;
      this.index = index;
      this.updateControls();
      return;
    }
    this.queue = queue;
    this.load(index, { autoplay: false });
  }

  // Plays queue[index]; pressing play on the track already loaded toggles it instead.
  // skip: false when leaving the current track is not a skip (the arena's A/B comparing);
  // fresh: true to load it anew even if it is the track loaded (the arena's next pair).
  playFrom(queue, index = 0, { skip = true, fresh = false } = {}) {
    if (!queue.length) return;
    if (!fresh && this.isCurrent(queue[index].id)) {
      this.queue = queue;
      this.index = index;
      this.toggle();
      return;
    }
    this.queue = queue;
    this.load(index, { autoplay: true, skip });
  }

  toggle() {
    if (!this.track) return;
    if (this.audio.paused || this.audio.ended) this.play();
    else this.audio.pause();
  }

  play() {
    if (!this.track) return;
    this.engaged = true;
    if (this.attached !== this.track) this.attachSources(this.track);
    const attempt = this.audio.play();
    if (attempt) attempt.catch((error) => this.failed(error));
  }

  next() {
    if (this.index < this.queue.length - 1) this.load(this.index + 1, { autoplay: true });
  }

  previous() {
    // As on most players: a few seconds in, "previous" goes back to the start first.
    if (this.audio.currentTime > 3 || this.index <= 0) {
      this.seek(0);
      if (this.audio.paused) this.play();
      return;
    }
    this.load(this.index - 1, { autoplay: true });
  }

  seek(seconds) {
    if (!this.track) return;
    const from = this.audio.currentTime;
    if (this.attached !== this.track || this.audio.readyState === 0) {
      // Nothing loaded yet: start loading and seek once the length is known.
      if (this.attached !== this.track) this.attachSources(this.track);
      this.audio.addEventListener("loadedmetadata", () => this.seek(seconds), { once: true });
      return;
    }
    this.audio.currentTime = seconds;
    if (this.reporter.active) {
      this.reporter.record("seek", this.position(seconds), this.position(from));
      // Arrow keys can seek several times a second: send once they settle.
      window.clearTimeout(this.seekFlush);
      this.seekFlush = window.setTimeout(() => this.reporter.flush(), 800);
    }
    this.updateTime();
  }

  // Sends listening events now (before a rating, so the server knows what was heard).
  flushListening() {
    if (this.playing && this.reporter.active) this.reporter.record("progress", this.position());
    return this.reporter.flush();
  }

  // --- loading ----------------------------------------------------------------------------

  load(index, { autoplay, skip = true }) {
    const track = this.queue[index];
    if (!track) return;
    if (this.track && this.reporter.active && !this.completed) {
      // A new track chosen before the end of this one: a skip, which counts against the
      // track, unless the listener is only comparing (then it is a pause).
      this.reporter.record(skip ? "skip" : "pause", this.position());
      this.reporter.flush();
    }
    this.stopHeartbeat();
    this.switching = true;
    this.index = index;
    this.track = track;
    this.completed = false;
    this.reporter.start(track.id);

    if (autoplay) {
      this.attachSources(track);
    } else {
      // Cued only: nothing is fetched until the listener presses Play.
      this.attached = null;
      this.audio.replaceChildren();
      this.audio.load();
    }
    this.switching = false;

    this.titleLink.textContent = track.title;
    this.titleLink.href = track.url;
    this.root.dataset.state = "ready";
    this.root.classList.remove("has-error");
    this.waveform.setEnabled(true);
    this.waveform.setPeaks([]);
    this.waveform.setDuration(track.duration_s || 0);
    this.waveform.setPosition(0);
    loadPeaks(track.peaks_url).then((peaks) => {
      if (this.track === track) this.waveform.setPeaks(peaks);
    });
    this.updateMediaSession();
    this.updateControls();
    this.updateTime();
    if (autoplay) this.play();
    this.changed();
  }

  // Both encodings on the one <audio>: Opus first where the browser can play it, else MP3.
  attachSources(track) {
    const sources = [
      { src: track.audio.opus, type: "audio/ogg; codecs=opus" },
      { src: track.audio.mp3, type: "audio/mpeg" },
    ];
    if (!this.opusFirst) sources.reverse();
    this.audio.replaceChildren(
      ...sources.map(({ src, type }) => Object.assign(document.createElement("source"), { src, type })),
    );
    this.audio.lastElementChild.addEventListener("error", (error) => this.failed(error), { once: true });
    this.audio.preload = "auto";
    this.audio.load();
    this.attached = track;
  }

  failed(error) {
    if (error && error.name === "AbortError") return; // a newer load replaced this one
    if (error && error.name === "NotAllowedError") {
      this.updateControls(); // autoplay refused: the listener presses Play themselves
      return;
    }
    this.root.classList.add("has-error");
    if (this.track) this.titleLink.textContent = `${this.track.title} (could not be played)`;
    this.updateControls();
    this.changed();
  }

  // --- audio element events ----------------------------------------------------------------

  bindAudio() {
    const audio = this.audio;
    audio.addEventListener("play", () => {
      if (this.completed) {
        this.completed = false;
        this.reporter.record("replay", this.position());
      } else {
        this.reporter.record("play", this.position());
      }
      // At once: the server credits listening from when it hears of the play (its own clock).
      this.reporter.flush();
      this.startHeartbeat();
      this.updateControls();
      this.changed();
    });
    audio.addEventListener("pause", () => {
      // The pause that comes with the end is reported as "complete" instead.
      if (audio.ended || this.switching) return;
      this.stopHeartbeat();
      if (this.reporter.active) {
        this.reporter.record("pause", this.position());
        this.reporter.flush();
      }
      this.updateControls();
      this.changed();
    });
    audio.addEventListener("ended", () => {
      this.stopHeartbeat();
      if (this.reporter.active && !this.completed) {
        this.reporter.record("complete", this.position(audio.duration));
        this.reporter.flush();
      }
      this.completed = true;
      this.updateControls();
      this.changed();
      if (this.index < this.queue.length - 1) this.load(this.index + 1, { autoplay: true });
    });
    audio.addEventListener("timeupdate", () => this.updateTime());
    audio.addEventListener("durationchange", () => {
      if (Number.isFinite(audio.duration)) this.waveform.setDuration(audio.duration);
      this.updateTime();
    });
  }

  // Positions never run past the stored length: the server checks them against it.
  position(seconds = this.audio.currentTime) {
    const stored = this.track?.duration_s;
    const value = Number.isFinite(seconds) ? seconds : 0;
    return stored ? Math.min(value, stored + 1) : value;
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.heartbeat = window.setInterval(() => {
      if (!this.playing) return;
      this.reporter.record("progress", this.position());
      this.reporter.flush();
    }, HEARTBEAT_MS);
  }

  stopHeartbeat() {
    if (this.heartbeat !== null) window.clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  // --- the bar ---------------------------------------------------------------------------

  duration() {
    const fromFile = this.audio.duration;
    return Number.isFinite(fromFile) && fromFile > 0 ? fromFile : this.track?.duration_s || 0;
  }

  updateTime() {
    const now = this.audio.currentTime || 0;
    this.elapsed.textContent = formatTime(now);
    // The stored length, as every list writes it; the file's own is a hair different.
    this.total.textContent = formatTime(this.track?.duration_s || this.duration());
    this.waveform.setPosition(now);
    this.dispatchEvent(new CustomEvent("time", { detail: { track: this.track, position: now } }));
  }

  updateControls() {
    const { toggle, prev, next } = this.buttons;
    const loaded = Boolean(this.track);
    toggle.disabled = !loaded;
    prev.disabled = !loaded;
    next.disabled = !loaded || this.index >= this.queue.length - 1;
    toggle.setAttribute("aria-label", this.playing ? "Pause" : "Play");
    toggle.classList.toggle("is-playing", this.playing);
    if (loaded) this.root.dataset.state = this.playing ? "playing" : "paused";
    if ("mediaSession" in navigator) {
      navigator.mediaSession.playbackState = this.playing ? "playing" : "paused";
    }
  }

  changed() {
    this.dispatchEvent(new CustomEvent("change", { detail: { track: this.track } }));
  }

  // --- lock screen and hardware keys ------------------------------------------------------

  bindMediaSession() {
    if (!("mediaSession" in navigator)) return;
    const handlers = {
      play: () => this.play(),
      pause: () => this.audio.pause(),
      previoustrack: () => this.previous(),
      nexttrack: () => this.next(),
      seekto: (details) => this.seek(details.seekTime),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        navigator.mediaSession.setActionHandler(action, handler);
      } catch {
        // An action this browser does not know.
      }
    }
  }

  updateMediaSession() {
    if (!("mediaSession" in navigator) || !window.MediaMetadata || !this.track) return;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: this.track.title,
      artist: "AlbumVote",
    });
  }
}
