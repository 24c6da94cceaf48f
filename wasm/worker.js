// likelab's training worker: a second Go instance, without Ebiten, that runs
// the scene at full speed on another core and posts status and pictures to
// the page (wasm/worker is its Go side). Messages that arrive before Go has
// started are kept in self.pending and replayed by Go.
importScripts('wasm_exec.js');
self.pending = [];
self.onmessage = (e) => self.pending.push(e.data);
const url = 'likelab-worker.wasm';
const go = new Go();
const start = WebAssembly.instantiateStreaming
  ? WebAssembly.instantiateStreaming(fetch(url), go.importObject)
      .catch(() => fetch(url).then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, go.importObject)))
  : fetch(url).then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, go.importObject));
start
  .then((r) => go.run(r.instance))
  .catch((err) => self.postMessage({ type: 'fatal', text: 'The training worker could not start: ' + err }));
