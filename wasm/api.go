//go:build js && wasm

package main

import (
	"encoding/base64"
	"strings"
	"syscall/js"
)

// exposeAPI registers window.likelab before RunGame, so it exists as soon as
// the page can call it:
//
//	status()        → {scene, step, loss, stepsPerSec, fps, playing, error, hash, panics}
//	configure(hash) → "" or the message about settings that were not understood
//	play(), pause(), step(), reset()
//	snapshot()      → the picture as a PNG data URL (null before the first picture)
//	save()          downloads config.json and model.safetensors
//	exportPNG()     downloads the picture
//	draw()          opens the drawing board; called again, trains on the drawing
//	recordGIF()     starts recording the picture as a GIF; called again, stops and downloads it
//
// With ?testhooks=1 also testPanic("page"|"worker"), checkPicture(), whose
// answer comes in status().pictureCheck, and drawRegionsOnly() (see
// app.checkPicture).
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
	api.Set("snapshot", fn(func([]js.Value) any {
		b, err := a.pngBytes()
		if err != nil {
			return nil
		}
		return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
	}))
	api.Set("save", fn(func([]js.Value) any { a.queue = append(a.queue, (*app).saveModel); return nil }))
	api.Set("exportPNG", fn(func([]js.Value) any { a.queue = append(a.queue, (*app).exportPNG); return nil }))
	api.Set("draw", fn(func([]js.Value) any { a.queue = append(a.queue, (*app).toggleDrawing); return nil }))
	api.Set("recordGIF", fn(func([]js.Value) any { a.queue = append(a.queue, (*app).toggleGIF); return nil }))
	// Test hooks exist only when the page is opened with ?testhooks=1.
	if strings.Contains(js.Global().Get("location").Get("search").String(), "testhooks=1") {
		api.Set("testPanic", fn(func(args []js.Value) any {
			where := "page"
			if len(args) > 0 && args[0].Type() == js.TypeString {
				where = args[0].String()
			}
			a.queue = append(a.queue, func(a *app) {
				if where == "worker" {
					a.host.testPanic()
				} else {
					a.panicNext = true
				}
			})
			return nil
		}))
		api.Set("checkPicture", fn(func([]js.Value) any { a.queue = append(a.queue, (*app).checkPicture); return nil }))
		api.Set("drawRegionsOnly", fn(func([]js.Value) any { a.queue = append(a.queue, func(a *app) { a.regionsOnly = true }); return nil }))
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

// listenForMessages lets a slide deck in another origin drive the page with
// postMessage: {likelab: "play"|"pause"|"step"|"reset"|"status"} or
// {likelab: "configure", hash: "…"}. Every message gets the status back. The
// data is only compared with these words; nothing in it is run or rendered.
func (a *app) listenForMessages() {
	js.Global().Call("addEventListener", "message", js.FuncOf(func(this js.Value, args []js.Value) any {
		ev := args[0]
		d := ev.Get("data")
		if d.Type() != js.TypeObject || d.Get("likelab").Type() != js.TypeString {
			return nil
		}
		switch cmd := d.Get("likelab").String(); cmd {
		case "play", "pause", "step", "reset":
			a.do(cmd)
		case "configure":
			if h := d.Get("hash"); h.Type() == js.TypeString {
				a.applyHash(h.String())
			}
		}
		if src := ev.Get("source"); src.Truthy() {
			reply := map[string]any{"likelab": "status", "status": a.statusJSON()}
			jsTry(func() { src.Call("postMessage", reply, "*") })
		}
		return nil
	}))
}

// listenForDrops takes files dropped anywhere on the page: a saved model,
// data, or an image set (files.go dropped).
func (a *app) listenForDrops() {
	doc := document()
	doc.Call("addEventListener", "dragover", js.FuncOf(func(this js.Value, args []js.Value) any {
		args[0].Call("preventDefault")
		return nil
	}))
	doc.Call("addEventListener", "drop", js.FuncOf(func(this js.Value, args []js.Value) any {
		ev := args[0]
		ev.Call("preventDefault")
		if dt := ev.Get("dataTransfer"); dt.Truthy() {
			a.dropped(dt)
		}
		return nil
	}))
}
