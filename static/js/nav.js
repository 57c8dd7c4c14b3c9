// In-place navigation: same-origin links and GET forms fetch the next page and swap its
// <main> (and <title>, header) into this one, so the player outside <main> keeps playing.
// History, focus and scroll behave as on a normal page load; any failure falls back to one.
import { siteUrl } from "./util.js";

// Where the site is not pages. The API and the sockets are mounted without a name to reverse
// (albumvote/urls.py, curation/routing.py); the rest the page names.
const UNNAMED_PREFIXES = ["/api/", "/ws/"];
const FILE_SUFFIX = /\.(mid|midi|mp3|opus|ogg|json|rss|atom|txt|xml|pdf|png|jpe?g|svg|ico|zip)$/i;

export class Navigator {
  // beforeSwap() tears the old page's widgets down; afterSwap(main) starts the new ones.
  constructor({ beforeSwap, afterSwap }) {
    this.beforeSwap = beforeSwap;
    this.afterSwap = afterSwap;
    this.main = document.getElementById("main");
    this.controller = null;
    this.current = this.key(window.location.href);
    this.skipPrefixes = [...["admin", "static", "media"].map(siteUrl), ...UNNAMED_PREFIXES];
  }

  start() {
    if (!window.fetch || !window.DOMParser || !window.history.pushState) return;
    window.history.scrollRestoration = "manual";
    window.history.replaceState({ scrollY: window.scrollY }, "");
    document.addEventListener("click", (event) => this.onClick(event));
    document.addEventListener("submit", (event) => this.onSubmit(event));
    window.addEventListener("popstate", (event) => this.onPopState(event));
  }

  key(href) {
    const url = new URL(href, window.location.href);
    return url.pathname + url.search;
  }

  handles(url) {
    if (url.origin !== window.location.origin) return false;
    if (this.skipPrefixes.some((prefix) => url.pathname.startsWith(prefix))) return false;
    return !FILE_SUFFIX.test(url.pathname);
  }

  onClick(event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href]");
    if (!link || link.hasAttribute("download") || link.dataset.noNav !== undefined) return;
    if (link.target && link.target !== "_self") return;
    const url = new URL(link.href, window.location.href);
    if (!this.handles(url)) return;
    // A link to a spot on this same page: let the browser scroll there.
    if (url.hash && this.key(url.href) === this.current) return;
    event.preventDefault();
    this.go(url.href);
  }

  onSubmit(event) {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
    if (form.target && form.target !== "_self") return;
    const url = new URL(form.action || window.location.href, window.location.href);
    if (!this.handles(url)) return;
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form, event.submitter)) {
      if (typeof value === "string" && value !== "") params.append(name, value);
    }
    url.search = params.toString();
    url.hash = "";
    event.preventDefault();
    this.go(url.href);
  }

  onPopState(event) {
    if (this.key(window.location.href) === this.current) return; // only the #hash changed
    this.go(window.location.href, { push: false, scrollY: event.state?.scrollY ?? 0 });
  }

  async go(href, { push = true, scrollY = null } = {}) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const target = new URL(href, window.location.href);
    window.history.replaceState({ ...(window.history.state || {}), scrollY: window.scrollY }, "");
    document.documentElement.classList.add("is-navigating");
    this.main.setAttribute("aria-busy", "true");

    let response;
    let page;
    try {
      response = await fetch(target.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        signal: controller.signal,
      });
      const type = response.headers.get("Content-Type") || "";
      if (!type.includes("text/html")) throw new Error(`not a page: ${type}`);
      page = new DOMParser().parseFromString(await response.text(), "text/html");
      if (!page.querySelector("main#main")) throw new Error("no <main> in the page");
    } catch (error) {
      if (controller.signal.aborted) return; // a newer navigation took over
      window.location.assign(target.href);
      return;
    } finally {
      if (this.controller === controller) {
        document.documentElement.classList.remove("is-navigating");
        this.main.removeAttribute("aria-busy");
      }
    }

    // After redirects, the address is where the server sent us.
    const landed = new URL(response.url || target.href);
    landed.hash = target.hash;
    this.swap(page);
    if (push) window.history.pushState({ scrollY: 0 }, "", landed.href);
    else if (response.redirected) window.history.replaceState({ scrollY }, "", landed.href);
    this.current = this.key(window.location.href);

    const anchor = landed.hash && document.getElementById(decodeURIComponent(landed.hash.slice(1)));
    if (scrollY !== null) window.scrollTo(0, scrollY);
    else if (anchor) anchor.scrollIntoView();
    else window.scrollTo(0, 0);
    this.focusHeading();
  }

  swap(page) {
    this.beforeSwap();
    const next = page.querySelector("main#main");
    this.main.replaceChildren(...[...next.childNodes].map((node) => document.adoptNode(node)));
    for (const name of ["data-page", "class"]) {
      if (next.hasAttribute(name)) this.main.setAttribute(name, next.getAttribute(name));
      else this.main.removeAttribute(name);
    }
    document.title = page.title;
    const header = document.querySelector(".site-header");
    const nextHeader = page.querySelector(".site-header");
    if (header && nextHeader) header.replaceWith(document.adoptNode(nextHeader));
    // The CSRF token lives in the page (the cookie is HttpOnly): keep the newest one.
    const token = page.querySelector('meta[name="csrf-token"]');
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (token && meta) meta.setAttribute("content", token.getAttribute("content"));
    this.afterSwap(this.main);
  }

  // As after a page load, a screen reader lands on the new page's heading.
  focusHeading() {
    const heading = this.main.querySelector("h1") || this.main;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

// The phone header's menu button: a disclosure for the main links (aria-expanded says whether
// they show; CSS folds them away on narrow screens only). Delegated from the document, because
// every in-place navigation brings a new header, closed.
export function bindMenu() {
  const toggle = () => document.querySelector("[data-menu-toggle]");
  const setOpen = (button, open) => button.setAttribute("aria-expanded", String(open));
  const isOpen = (button) => button?.getAttribute("aria-expanded") === "true";
  document.addEventListener("click", (event) => {
    const button = toggle();
    if (!button) return;
    if (event.target.closest("[data-menu-toggle]")) {
      setOpen(button, !isOpen(button));
    } else if (isOpen(button) && !event.target.closest(".site-header")) {
      setOpen(button, false); // a tap elsewhere on the page puts the menu away
    }
  });
  document.addEventListener("keydown", (event) => {
    const button = toggle();
    if (event.key !== "Escape" || !isOpen(button)) return;
    setOpen(button, false);
    button.focus();
  });
}
