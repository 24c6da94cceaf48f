//go:build js && wasm

package main

import (
	"math"
	"syscall/js"

	"likelab/core/lab"
)

// prefersLight reports whether the viewer's system asks for a light page
// (prefers-color-scheme), which theme=auto follows.
func prefersLight() bool {
	mm := js.Global().Get("matchMedia")
	if mm.Type() != js.TypeFunction {
		return false
	}
	return js.Global().Call("matchMedia", "(prefers-color-scheme: light)").Get("matches").Bool()
}

// systemTheme is what theme=auto stands for here: "light" when the
// viewer's system asks for a light page, else "dark".
func systemTheme() string {
	if prefersLight() {
		return "light"
	}
	return "dark"
}

// showTheme gives the page the colours of cfg's theme (index.html's
// html.light rules; dark is the default), auto standing for a.auto.
func (a *app) showTheme() {
	t := a.cfg.Theme
	if t == "auto" {
		t = a.auto
	}
	document().Get("documentElement").Get("classList").Call("toggle", "light", t == "light")
}

// watchTheme follows a change of the system's light or dark setting while
// the page is open: theme=auto follows it, page and picture (the host
// passes a.auto to the scene before its next picture).
func (a *app) watchTheme() {
	a.auto = systemTheme()
	if js.Global().Get("matchMedia").Type() != js.TypeFunction {
		return
	}
	q := js.Global().Call("matchMedia", "(prefers-color-scheme: light)")
	if q.Get("addEventListener").Type() != js.TypeFunction {
		return
	}
	a.themeFunc = js.FuncOf(func(this js.Value, args []js.Value) any {
		a.queue = append(a.queue, func(a *app) {
			a.auto = systemTheme()
			a.showTheme()
		})
		return nil
	})
	q.Call("addEventListener", "change", a.themeFunc)
}

// setLook tells the host's scene how the page shows it: k device pixels
// per CSS pixel and what theme=auto stands for (lab.Looker). A worker is
// told with the canvas size, when either changes.
func (a *app) setLook(k int) {
	switch h := a.host.(type) {
	case *localHost:
		if l, ok := h.scene.(lab.Looker); ok {
			l.SetLook(k, a.auto)
		}
	case *workerHost:
		h.scale, h.auto = k, a.auto
	}
}

// pictureScale is the picture's device pixels per CSS pixel: the screen's
// devicePixelRatio capped at lab.MaxScale (a 3× phone would pay 2.25× a
// 2× picture's pixels for a difference few can see), and at least 1.
func pictureScale() float64 {
	r := js.Global().Get("devicePixelRatio")
	if r.Type() != js.TypeNumber {
		return 1
	}
	return min(max(r.Float(), 1), lab.MaxScale)
}

// textScale is the whole scale scenes draw text and lines at: the
// picture's scale rounded (1.25 → 1, 1.5 and 2 → 2), since the bitmap font
// only scales by whole pixels.
func textScale(s float64) int { return max(1, int(math.Round(s))) }
