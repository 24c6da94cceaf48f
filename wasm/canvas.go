//go:build js && wasm

package main

import "syscall/js"

// plainWebGL makes the next WebGL2 context created on the page — Ebiten's,
// made when RunGame starts — a context without multisampling or a depth
// buffer, and then puts getContext back as it was.
//
// Ebiten asks for WebGL2 without saying antialias, and the browser's default
// is true: a 4× multisampled drawing buffer that must be resolved every time
// the canvas is presented. The app only copies a finished picture onto the
// screen 1:1 (Ebiten's own antialiasing, which this app does not use, works
// in its offscreen images, not in the canvas's buffer), so multisampling
// changes no pixel and only costs. With no GPU (headless Chromium,
// SwiftShader, two cores) it cost a quarter of the frames while training:
// 36 → 50 fps (1280×800, the default flow scene, worker training beside it;
// 58 → 60 paused). Ebiten never asks for depth either (it uses no depth test;
// the browser's default is a depth buffer), and dropping it gained a little
// more. Issue 7.
func plainWebGL() {
	proto := js.Global().Get("HTMLCanvasElement")
	if !proto.Truthy() {
		return
	}
	proto = proto.Get("prototype")
	orig := proto.Get("getContext")
	if orig.Type() != js.TypeFunction {
		return
	}
	wrap := js.FuncOf(func(this js.Value, args []js.Value) any {
		call := []any{this}
		for _, a := range args {
			call = append(call, a)
		}
		if len(args) == 0 || args[0].Type() != js.TypeString || args[0].String() != "webgl2" {
			return orig.Call("call", call...)
		}
		object := js.Global().Get("Object")
		attrs := object.Call("assign", object.New(), optional(args, 1))
		attrs.Set("antialias", false)
		attrs.Set("depth", false)
		if len(call) < 3 {
			call = append(call, nil)
		}
		call[2] = attrs               // this, "webgl2", attrs, …
		proto.Set("getContext", orig) // only Ebiten's context: put it back
		return orig.Call("call", call...)
	})
	proto.Set("getContext", wrap)
}

// optional is args[i], or undefined when there are fewer arguments.
func optional(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}
