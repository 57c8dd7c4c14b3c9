// The page's own static/js/live.js, run by node for tests/curation/test_contract.py: a
// LiveClient on the real server, watching the topics asked for. After each frame it has taken
// in, and each change it hands its watchers, one JSON line on stdout: {frame, live, state}.
// Usage: node --experimental-websocket live_contract.mjs <site> <topic,topic,...>
// It stops when its stdin closes.
import { fileURLToPath, pathToFileURL } from "node:url";

const [site, topicList] = process.argv.slice(2);
const base = new URL(site);
const topics = topicList.split(",");

// What live.js uses of a browser. The addresses come from the site's own page, as in a browser.
const page = await (await fetch(new URL("/", base))).text();
const dataset = {};
for (const [, name, value] of page.match(/<body([^>]*)>/)[1].matchAll(/data-([\w-]+)="([^"]*)"/g)) {
  dataset[name.replace(/-(\w)/g, (_, letter) => letter.toUpperCase())] = value;
}
globalThis.document = { body: { dataset }, cookie: "", querySelector: () => null };
globalThis.window = {
  location: { protocol: base.protocol, host: base.host },
  addEventListener() {},
  setInterval,
  clearInterval,
  setTimeout,
  clearTimeout,
};
const nodeFetch = globalThis.fetch;
globalThis.fetch = (url, options) => nodeFetch(new URL(url, base), options);

let client = null;
function report(frame) {
  const live = topics.every((topic) => client.isLive(topic));
  process.stdout.write(`${JSON.stringify({ frame, live, state: client.state })}\n`);
}

// A browser's socket sends the page's origin, which the server checks. The report waits for
// live.js's own listeners (added after this one) to have taken the frame in.
const NodeSocket = globalThis.WebSocket;
globalThis.WebSocket = class extends NodeSocket {
  constructor(url, protocols) {
    super(url, { protocols, headers: { origin: base.origin } });
    this.addEventListener("message", (message) => {
      setTimeout(() => report(JSON.parse(message.data)));
    });
  }
};

const root = fileURLToPath(new URL("../../", import.meta.url));
const { LiveClient } = await import(pathToFileURL(`${root}static/js/live.js`).href);
client = new LiveClient(null);
// The state is loaded after its "subscribed" frame: report that change as well.
client.watch(topics, () => setTimeout(() => report(null)));

process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
