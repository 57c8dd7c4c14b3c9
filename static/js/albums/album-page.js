// The public album page: "Play all" queues the whole album in the persistent player (and
// pauses or resumes it once it is playing from this album), and "Copy link" puts the page's
// canonical address on the clipboard. Each track's own play button is lists.js's, as on every
// track list; both queue the same tracks, from the same data- attributes.
import { trackFromItem } from "../util.js";

export function initAlbumPage(main, { player }) {
  const root = main.querySelector("[data-album-page]");
  if (!root) return null;
  const list = root.querySelector("[data-album-tracklist]");
  const playAll = root.querySelector("[data-play-all]");
  const playLabel = playAll.querySelector("[data-play-all-label]");
  const copy = root.querySelector("[data-copy-link]");
  const shareStatus = root.querySelector("[data-share-status]");

  const album = () => [...list.querySelectorAll(":scope > li[data-track-id]")].map(trackFromItem);
  // The player holds this album as its queue (from "Play all" or a track's own button).
  const fromHere = () => {
    const queued = player.queue.map((track) => track.id);
    const ids = album().map((track) => track.id);
    return Boolean(player.track) && queued.length === ids.length && queued.every((id, i) => id === ids[i]);
  };

  const refresh = () => {
    const playing = player.playing && fromHere();
    playAll.classList.toggle("is-playing", playing);
    playLabel.textContent = playing ? "Pause" : "Play all";
  };

  const onPlayAll = () => {
    const tracks = album();
    if (!tracks.length) return;
    // Playing (or paused in) this album: the button pauses or resumes where it is.
    if (fromHere() && player.engaged) player.toggle();
    else player.playFrom(tracks, 0);
  };

  const onCopy = async () => {
    const url = copy.dataset.url;
    try {
      await navigator.clipboard.writeText(url);
      shareStatus.textContent = "Link copied.";
    } catch {
      // No clipboard (an insecure page, or permission refused): show the link to copy by hand.
      shareStatus.textContent = `Copy this link: ${url}`;
    }
  };

  playAll.addEventListener("click", onPlayAll);
  copy.addEventListener("click", onCopy);
  player.addEventListener("change", refresh);
  refresh();

  return () => {
    playAll.removeEventListener("click", onPlayAll);
    copy.removeEventListener("click", onCopy);
    player.removeEventListener("change", refresh);
  };
}
