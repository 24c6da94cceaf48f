// likelab's training worker: a second Go instance, without Ebiten, that runs
// the scene at full speed on another core and posts status and pictures to
// the page (wasm/worker is its Go side). Messages that arrive before Go has
// started are kept in self.pending and replayed by Go.
//
// Served as a file it loads wasm_exec.js and likelab-worker.wasm beside it.
// In the single-file build the page makes it from a blob with wasm_exec.js
// prepended, names it "inline", and sends the wasm bytes as the first message.
if (typeof Go === 'undefined') importScripts('wasm_exec.js');
self.pending = [];
const fatal = (err) => self.postMessage({ type: 'fatal', text: 'The training worker could not start: ' + err });
function boot(instantiated) {
  const go = new Go();
  instantiated(go.importObject).then((r) => go.run(r.instance)).catch(fatal);
}
self.onmessage = (e) => {
  if (self.name === 'inline' && e.data && e.data.type === 'wasm') {
    boot((imports) => WebAssembly.instantiate(e.data.bytes, imports));
    return;
  }
  self.pending.push(e.data);
};
if (self.name !== 'inline') {
  const url = 'likelab-worker.wasm';
  boot((imports) => (WebAssembly.instantiateStreaming
    ? WebAssembly.instantiateStreaming(fetch(url), imports).catch(() => fetch(url)
      .then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, imports)))
    : fetch(url).then((r) => r.arrayBuffer()).then((b) => WebAssembly.instantiate(b, imports))));
}
