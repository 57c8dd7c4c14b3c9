// The addresses the workspace script uses, by name: its template writes each with {% url %}
// as data-url-NAME on the workspace's root, so no script spells one. An address that names a
// track, a version or a job is written for the id 0, which no row has (ids start at 1), and
// made for a real one here: url("job", 12).
export function pageUrls(root) {
  return (name, id) => {
    const url = root.getAttribute(`data-url-${name}`);
    if (!url) throw new Error(`the page has no data-url-${name}`);
    return id === undefined ? url : url.replace("/0/", `/${encodeURIComponent(id)}/`);
  };
}
