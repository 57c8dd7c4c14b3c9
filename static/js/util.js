// Small helpers shared by the front-end modules: time and date labels, CSRF, JSON requests, ids,
// the site's addresses.

// A length of time, as the server writes it (generation/templatetags/formats.py duration):
// the nearest whole second, halves up, then m:ss, or h:mm:ss from an hour up.
export function formatTime(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const whole = Math.floor(seconds + 0.5);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// A moment as the server writes it (albumvote/formats/en/formats.py): "3 Dec 2026, 23:31" in
// the site's time zone (<html data-time-zone>), or "3 Dec 2026" with { time: false }. The
// month names are spelt here: browsers' own short months differ ("Sept", "Sep.").
export function formatDateTime(value, { time = true } = {}) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const options = {
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  };
  let parts;
  try {
    const timeZone = document.documentElement.dataset.timeZone || undefined;
    parts = new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).formatToParts(date);
  } catch {
    parts = new Intl.DateTimeFormat("en-GB", options).formatToParts(date); // an unknown zone
  }
  const part = (type) => parts.find((p) => p.type === type)?.value || "";
  const day = `${Number(part("day"))} ${MONTHS[Number(part("month")) - 1]} ${part("year")}`;
  return time ? `${day}, ${part("hour")}:${part("minute")}` : day;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// An address the scripts use, by name: base.html writes each with {% url %} as
// <body data-url-NAME>, so no script spells one.
export function siteUrl(name) {
  const key = `url-${name}`.replace(/-(\w)/g, (_, letter) => letter.toUpperCase());
  const url = document.body.dataset[key];
  if (!url) throw new Error(`base.html has no data-url-${name}`);
  return url;
}

// From the page: the csrftoken cookie is HttpOnly, out of reach of any injected script.
export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

// Every write carries the CSRF header, JSON and the session cookie. Resolves to
// {ok, status, data}; a network failure resolves to {ok: false, status: 0, data: null}.
export async function requestJson(method, url, body, { keepalive = false } = {}) {
  const options = {
    method,
    credentials: "same-origin",
    keepalive,
    headers: { Accept: "application/json" },
  };
  if (method !== "GET") {
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch {
    return { ok: false, status: 0, data: null };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

// A random UUID, also where crypto.randomUUID is missing (plain http on a LAN address).
export function uuid() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Adds a class for a moment (a gentle highlight) and takes it off again.
export function flash(element, className, ms = 1600) {
  element.classList.remove(className);
  void element.offsetWidth; // restart the CSS animation if it is already running
  element.classList.add(className);
  window.setTimeout(() => element.classList.remove(className), ms);
}

// A track as the player queues it, from a list item's data- attributes.
export function trackFromItem(item) {
  const duration = parseFloat(item.dataset.duration);
  return {
    id: Number(item.dataset.trackId),
    title: item.dataset.title,
    url: item.dataset.url,
    audio: { opus: item.dataset.opus, mp3: item.dataset.mp3 },
    peaks_url: item.dataset.peaks,
    duration_s: Number.isFinite(duration) ? duration : null,
  };
}

// Building markup from script, in step with the server-rendered templates.
export function el(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

export function icon(className, path) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}
