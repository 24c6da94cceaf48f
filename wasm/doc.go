//go:build js && wasm

// Command wasm is likelab's browser shell: an Ebiten game whose Update runs
// the current lab scene for a slice of each frame and whose Draw blits the
// scene's cached picture, a control panel built from lab's property table,
// and the window.likelab API that tests and slide decks drive.
//
// JavaScript calls into Go (the panel, window.likelab, hash changes) only
// queue commands; Update applies them between frames, so a scene is never
// replaced in the middle of its own work.
package main
