// Waveforms drawn from a track's stored peaks on a canvas. The element is a slider
// (role="slider"): click or drag to seek, arrow keys / Page Up / Page Down / Home / End too.
import { formatTime } from "./util.js";

const peaksCache = new Map();

export function loadPeaks(url) {
  if (!url) return Promise.resolve([]);
  if (!peaksCache.has(url)) {
    const request = fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { peaks: [] }))
      .then((data) => (Array.isArray(data.peaks) ? data.peaks : []))
      .catch(() => {
        peaksCache.delete(url);
        return [];
      });
    peaksCache.set(url, request);
  }
  return peaksCache.get(url);
}

export class Waveform {
  // onSeek(seconds) is called when the listener picks a position.
  constructor(element, { onSeek, step = 5 } = {}) {
    this.element = element;
    this.canvas = element.querySelector("canvas");
    this.onSeek = onSeek || (() => {});
    this.step = step;
    this.peaks = [];
    this.duration = 0;
    this.position = 0;
    this.dragging = null;
    this.enabled = true;

    this.onKeyDown = this.onKeyDown.bind(this);
    this.onPointerDown = this.onPointerDown.bind(this);
    this.onPointerMove = this.onPointerMove.bind(this);
    this.onPointerUp = this.onPointerUp.bind(this);
    element.addEventListener("keydown", this.onKeyDown);
    element.addEventListener("pointerdown", this.onPointerDown);
    element.addEventListener("pointermove", this.onPointerMove);
    element.addEventListener("pointerup", this.onPointerUp);
    element.addEventListener("pointercancel", this.onPointerUp);
    this.resizeObserver = new ResizeObserver(() => this.draw());
    this.resizeObserver.observe(element);
  }

  destroy() {
    this.resizeObserver.disconnect();
    this.element.removeEventListener("keydown", this.onKeyDown);
    this.element.removeEventListener("pointerdown", this.onPointerDown);
    this.element.removeEventListener("pointermove", this.onPointerMove);
    this.element.removeEventListener("pointerup", this.onPointerUp);
    this.element.removeEventListener("pointercancel", this.onPointerUp);
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    this.element.setAttribute("aria-disabled", enabled ? "false" : "true");
  }

  setPeaks(peaks) {
    this.peaks = peaks || [];
    this.draw();
  }

  setDuration(seconds) {
    this.duration = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    this.element.setAttribute("aria-valuemax", String(Math.round(this.duration)));
    this.setPosition(this.position);
  }

  setPosition(seconds) {
    if (this.dragging !== null) return; // the listener's finger wins while dragging
    this.position = Math.min(Math.max(seconds || 0, 0), this.duration || 0);
    this.element.setAttribute("aria-valuenow", String(Math.round(this.position)));
    this.element.setAttribute(
      "aria-valuetext",
      `${formatTime(this.position)} of ${formatTime(this.duration)}`,
    );
    this.draw();
  }

  seek(seconds) {
    if (!this.enabled || !this.duration) return;
    const target = Math.min(Math.max(seconds, 0), this.duration);
    this.position = target;
    this.draw();
    this.onSeek(target);
  }

  onKeyDown(event) {
    const moves = {
      ArrowRight: this.position + this.step,
      ArrowUp: this.position + this.step,
      ArrowLeft: this.position - this.step,
      ArrowDown: this.position - this.step,
      PageUp: this.position + this.step * 6,
      PageDown: this.position - this.step * 6,
      Home: 0,
      End: this.duration,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    this.seek(moves[event.key]);
  }

  fractionAt(event) {
    const box = this.element.getBoundingClientRect();
    return Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
  }

  onPointerDown(event) {
    if (!this.enabled || !this.duration || event.button !== 0) return;
    this.element.setPointerCapture(event.pointerId);
    this.dragging = this.fractionAt(event) * this.duration;
    this.draw();
  }

  onPointerMove(event) {
    if (this.dragging === null) return;
    this.dragging = this.fractionAt(event) * this.duration;
    this.draw();
  }

  onPointerUp(event) {
    if (this.dragging === null) return;
    const target = event.type === "pointercancel" ? null : this.fractionAt(event) * this.duration;
    this.dragging = null;
    if (target === null) this.draw();
    else this.seek(target);
  }

  draw() {
    const canvas = this.canvas;
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    if (!canvas || !width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    const style = getComputedStyle(this.element);
    const played = style.getPropertyValue("--wave-played").trim() || "#6b3fd4";
    const rest = style.getPropertyValue("--wave-rest").trim() || "#d6d0ea";
    const shown = this.dragging !== null ? this.dragging : this.position;
    const progress = this.duration ? shown / this.duration : 0;

    const bar = 2;
    const gap = 1;
    const count = Math.max(1, Math.floor(width / (bar + gap)));
    const peaks = this.peaks.length ? this.peaks : null;
    const middle = height / 2;
    for (let i = 0; i < count; i += 1) {
      let value = 0.08;
      if (peaks) {
        // The loudest peak in this bar's slice of the track.
        const start = Math.floor((i / count) * peaks.length);
        const end = Math.max(start + 1, Math.floor(((i + 1) / count) * peaks.length));
        value = 0;
        for (let j = start; j < end && j < peaks.length; j += 1) value = Math.max(value, peaks[j]);
      }
      const half = Math.max(1, value * (height / 2 - 1));
      context.fillStyle = (i + 0.5) / count <= progress ? played : rest;
      context.fillRect(i * (bar + gap), middle - half, bar, half * 2);
    }
  }
}
