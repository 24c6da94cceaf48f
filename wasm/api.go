//go:build js && wasm

package main

import (
	"syscall/js"
)

// exposeAPI registers window.likelab before RunGame, so it exists as soon as
// the page can call it:
//
//	status()        → {scene, step, loss, stepsPerSec, fps, playing, error, hash, panics}
//	configure(hash) → "" or the message about settings that were not understood
//	play(), pause(), step(), reset()
func (a *app) exposeAPI() {
	api := js.Global().Get("Object").New()
	fn := func(f func(args []js.Value) any) js.Func {
		return js.FuncOf(func(this js.Value, args []js.Value) (out any) {
			defer func() {
				if r := recover(); r != nil {
					out = nil
					a.queue = append(a.queue, func(a *app) { a.guard("the page API", func() { panic(r) }) })
				}
			}()
			return f(args)
		})
	}
	api.Set("status", fn(func([]js.Value) any { return a.statusJSON() }))
	api.Set("configure", fn(func(args []js.Value) any {
		if len(args) == 0 || args[0].Type() != js.TypeString {
			return "configure needs a hash string, such as \"scene=flow&data=moons\""
		}
		return a.applyHash(args[0].String())
	}))
	for _, name := range []string{"play", "pause", "step", "reset"} {
		api.Set(name, fn(func([]js.Value) any { a.do(name); return nil }))
	}
	js.Global().Set("likelab", api)
}

// setEmbed toggles the page's embed mode (panel hidden, canvas fills the frame).
func setEmbed(on bool) {
	cl := document().Get("documentElement").Get("classList")
	if on {
		cl.Call("add", "embed")
	} else {
		cl.Call("remove", "embed")
	}
	// the body's width changed without a window resize: tell Ebiten
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("resize"))
}

// replaceHash puts the canonical hash into the address bar without adding a
// history entry or firing a reload.
func replaceHash(h string) {
	js.Global().Get("history").Call("replaceState", nil, "", "#"+h)
}
