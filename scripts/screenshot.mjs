// Loads URL in headless Chromium, lets it run WAIT_MS of real time (a page that refreshes on a
// timer refreshes for real, which --screenshot with --virtual-time-budget cannot give), and writes
// a PNG screenshot. PROFILE is an empty directory for Chromium's profile, left to the caller.
//   node --experimental-websocket scripts/screenshot.mjs URL OUT.png WIDTH HEIGHT WAIT_MS PROFILE
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";

const [url, out, width, height, waitMs, profile] = process.argv.slice(2);
const chromium = spawn("chromium", [
  "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  `--user-data-dir=${profile}`, `--window-size=${width},${height}`, "--remote-debugging-port=0", "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

const endpoint = await new Promise((resolve, reject) => {
  let err = "";
  chromium.stderr.on("data", (d) => {
    err += d;
    const m = err.match(/DevTools listening on (ws:\S+)/);
    if (m) resolve(m[1]);
  });
  chromium.on("exit", () => reject(new Error("chromium exited: " + err)));
});
const port = new URL(endpoint).port;
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((t) => t.type === "page");
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r, { once: true }));
let next = 0;
const pending = new Map();
ws.addEventListener("message", (e) => {
  const msg = JSON.parse(e.data);
  if (msg.id && pending.has(msg.id)) pending.get(msg.id)(msg);
});
const send = (method, params = {}) =>
  new Promise((resolve) => {
    const id = ++next;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
await send("Page.enable");
await send("Emulation.setDeviceMetricsOverride", {
  width: Number(width), height: Number(height), deviceScaleFactor: 1, mobile: false,
});
await send("Page.navigate", { url });
await new Promise((r) => setTimeout(r, Number(waitMs)));
const shot = await send("Page.captureScreenshot", { format: "png" });
writeFileSync(out, Buffer.from(shot.result.data, "base64"));
ws.close();
const exited = new Promise((r) => chromium.once("exit", r));
chromium.kill();
await exited;
