// Package lab holds likelab's scenes: what to train and what to show, independent of
// any platform, so the browser shell (wasm/) and the CLI (cmd/likelab) share it and it
// is tested natively.
//
// A scene is described by a Config, which has a URL-hash form
// (#scene=flow&data=moons&layers=4) so that a link reproduces a run and an iframe in a
// slide shows it. The Config is defined by a declarative property table (see
// Properties), in the manner of TensorFlow Playground's state.ts: each setting has a
// name, a kind, a default and its allowed values, and parsing, printing, validation
// and the control panel all read the same table.
//
// Hash values are plain strings chosen by whoever wrote the link. They are never HTML:
// code that shows them (error messages included) must set them as text
// (textContent, never innerHTML).
package lab
