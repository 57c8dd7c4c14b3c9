// Asking before publishing: the workspace's modal <dialog> says what becomes public and
// resolves true only when the producer confirms (Cancel and Escape both resolve false).

// dialog: the <dialog data-confirm-publish>; facts: {number, title, tracks, length,
// replaces (the version now public, or null), download (whether downloads are allowed)}.
export function askToPublish(dialog, facts) {
  const part = (name) => dialog.querySelector(`[data-confirm="${name}"]`);
  part("number").textContent = String(facts.number);
  part("title").textContent = facts.title;
  part("tracks").textContent = facts.tracks;
  part("length").textContent = facts.length;
  part("download").hidden = !facts.download;
  part("replaces").hidden = !facts.replaces;
  part("current").textContent = facts.replaces ? String(facts.replaces) : "";
  part("publish").textContent = `Publish version ${facts.number}`;
  dialog.returnValue = ""; // Escape leaves the last answer in place otherwise
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "publish"), { once: true });
    dialog.showModal();
  });
}
