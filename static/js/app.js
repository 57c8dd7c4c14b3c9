// Entry point: wires the persistent player, live updates and in-place navigation together,
// and starts the widgets of whatever page is in <main> (again after each in-place navigation).
import { LiveClient } from "./live.js";
import { Navigator, bindMenu } from "./nav.js";
import { Player } from "./player.js";
import { firstQueue, initLists } from "./lists.js";
import { initTrackPage, trackFromSummary } from "./rating.js";
import { initArenaPage } from "./arena.js";
import "./remix.js"; // delegated from the document: the producer remix form
import { initAlbumWorkspace } from "./album-workspace.js";
import { initAlbumPage } from "./albums/album-page.js";
import { initProducerPage } from "./producer.js";

const player = new Player(document.getElementById("player"));
const live = new LiveClient(document.getElementById("live-status"));
let teardowns = [];

const navigator_ = new Navigator({
  beforeSwap: () => {
    teardowns.forEach((teardown) => teardown());
    teardowns = [];
  },
  afterSwap: (main) => startPage(main),
});

function startPage(main) {
  const context = { player, live, navigate: (href) => navigator_.go(href) };
  teardowns = [
    initLists(main, context),
    initTrackPage(main, context),
    initArenaPage(main, context),
    initAlbumWorkspace(main, context),
    initAlbumPage(main, context),
    initProducerPage(main),
  ].filter(Boolean);
  // Until the listener plays something, the player bar offers this page's music.
  const summary = main.querySelector("script#track-summary");
  if (summary) player.cue([trackFromSummary(JSON.parse(summary.textContent))]);
  else player.cue(firstQueue(main));
}

navigator_.start();
bindMenu();
startPage(document.getElementById("main"));

// Whatever was heard but not yet reported goes out as the page is left or hidden. On
// pagehide the page is going away: send at once, with keepalive so the request outlives it.
window.addEventListener("pagehide", () => player.reporter.flush({ unloading: true }));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") player.reporter.flush();
});

// For debugging in the console (and for the browser tests).
window.albumvote = { player, live, navigator: navigator_ };
