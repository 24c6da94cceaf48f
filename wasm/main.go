//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

func main() {
	a := newApp()
	a.watchTheme()
	// The run the link describes is configured now rather than at the first
	// frame, so the training worker builds it while Ebiten and the panel
	// start (issue 7's first frame: about 0.2 s sooner).
	a.applyHash(js.Global().Get("location").Get("hash").String())
	first := a.queue
	a.queue = nil
	a.guard("starting", func() {
		for _, f := range first {
			f(a)
		}
	})
	a.exposeAPI()
	a.buildPanel()
	a.queue = append(a.queue, (*app).restoreAutosave)
	a.listenForDrops()
	a.listenForMessages()
	js.Global().Call("addEventListener", "hashchange", js.FuncOf(func(this js.Value, args []js.Value) any {
		h := js.Global().Get("location").Get("hash").String()
		if h != "#"+a.cfg.Hash() {
			a.applyHash(h)
		}
		return nil
	}))
	if l := document().Call("getElementById", "loading"); l.Truthy() {
		l.Get("style").Set("display", "none")
	}
	plainWebGL()
	ebiten.SetTPS(ebiten.SyncWithFPS)
	ebiten.SetScreenClearedEveryFrame(false)
	ebiten.SetWindowTitle("likelab")
	// RunGame returns only on a fatal error (no WebGL2, say): say so on the
	// page, since every later call into Go would fail.
	if err := ebiten.RunGameWithOptions(a, &ebiten.RunGameOptions{}); err != nil {
		showMessage(fmt.Sprintf("likelab stopped: %v", err), false)
	}
}

func document() js.Value { return js.Global().Get("document") }

// showMessage puts text (never HTML) into the page's message element,
// styled as a passing notice or as a problem; an empty text hides it.
func showMessage(text string, note bool) {
	m := document().Call("getElementById", "message")
	if !m.Truthy() {
		return
	}
	if m.Get("textContent").String() == text {
		return
	}
	m.Set("textContent", text)
	m.Get("classList").Call("toggle", "note", note)
	if text == "" {
		m.Get("style").Set("display", "none")
	} else {
		m.Get("style").Set("display", "block")
	}
}
