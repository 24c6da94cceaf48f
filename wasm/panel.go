//go:build js && wasm

package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"syscall/js"

	"likelab/core/flow"
	"likelab/core/lab"
)

// panel is the HTML control panel: buttons, one control per property of
// lab's table (TensorFlow Playground's way: the table decides the controls),
// and live readouts. Everything is set as text or values, never as HTML.
type panel struct {
	a        *app
	controls map[string]js.Value
	play     js.Value
	readout  js.Value
	caption  js.Value
	draw     js.Value
	lastText string
	funcs    []js.Func
}

// captions tie each scene's picture to the talk's formula.
var captions = map[string]string{
	"flow":  "A normalizing flow learns a 2D density by maximum likelihood: log p(x) = log p_Z(f(x)) + log|det J_f(x)|.",
	"fm":    "Flow matching: a velocity field v(x, t) is regressed on x1 − x0 along straight paths ψt = (1−t)·x0 + t·x1; samples follow dx/dt = v(x, t).",
	"is":    "A flow trained by reverse KL to an unnormalised density p̃ becomes an importance-sampling proposal: Z ≈ mean of p̃(x)/q(x) over x ~ q.",
	"vae":   "A VAE maximises the ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)); a flow on z makes q(z|x) flexible.",
	"morph": "Apple → banana: a path between two latent codes of a VAE, decoded frame by frame.",
}

func (a *app) buildPanel() {
	root := document().Call("getElementById", "panel")
	if !root.Truthy() {
		return
	}
	p := &panel{a: a, controls: map[string]js.Value{}}
	root.Set("textContent", "")
	el := func(tag, text string) js.Value {
		e := document().Call("createElement", tag)
		if text != "" {
			e.Set("textContent", text)
		}
		return e
	}
	title := el("h1", "likelab")
	root.Call("appendChild", title)
	p.caption = el("p", captions["flow"])
	p.caption.Set("className", "caption")
	root.Call("appendChild", p.caption)

	buttons := el("div", "")
	buttons.Set("className", "buttons")
	p.play = el("button", "Pause")
	p.play.Set("title", "play / pause (space)")
	p.onClick(p.play, func() { a.do("toggle") })
	step := el("button", "Step")
	step.Set("title", "one training step (n)")
	p.onClick(step, func() { a.do("step") })
	reset := el("button", "Reset")
	reset.Set("title", "start the run again from its seed (r)")
	p.onClick(reset, func() { a.do("reset") })
	for _, b := range []js.Value{p.play, step, reset} {
		buttons.Call("appendChild", b)
	}
	root.Call("appendChild", buttons)

	files := el("div", "")
	files.Set("className", "buttons")
	save := el("button", "Save model")
	save.Set("title", "download config.json and model.safetensors (the CLI's files)")
	p.onClick(save, a.saveModel)
	picker := el("input", "")
	picker.Set("type", "file")
	picker.Set("multiple", true)
	// a VAE's model files may come with its images (files.go useImageSet)
	picker.Set("accept", ".json,.safetensors,.npy,.gz,.idx3-ubyte,.idx1-ubyte,.idx,.png,.jpg,.jpeg")
	picker.Get("style").Set("display", "none")
	picker.Set("id", "load-input")
	change := js.FuncOf(func(this js.Value, args []js.Value) any {
		a.loadFiles(picker.Get("files"))
		picker.Set("value", "")
		return nil
	})
	p.funcs = append(p.funcs, change)
	picker.Call("addEventListener", "change", change)
	load := el("button", "Load model")
	load.Set("title", "pick config.json and model.safetensors together (or drop them on the page); a VAE's with the images it learnt (.npy, IDX files or pictures)")
	p.onClick(load, func() { picker.Call("click") })
	dataPicker := el("input", "")
	dataPicker.Set("type", "file")
	// points or a picture for a 2D target; .npy, IDX (.gz, …-ubyte) or
	// pictures as an image set for the VAE scenes (files.go useData)
	dataPicker.Set("accept", ".csv,.txt,.png,.jpg,.jpeg,.npy,.gz,.idx3-ubyte,.idx1-ubyte,.idx")
	dataPicker.Set("multiple", true)
	dataPicker.Get("style").Set("display", "none")
	dataPicker.Set("id", "data-input")
	dataChange := js.FuncOf(func(this js.Value, args []js.Value) any {
		a.useData(dataPicker.Get("files"))
		dataPicker.Set("value", "")
		return nil
	})
	p.funcs = append(p.funcs, dataChange)
	dataPicker.Call("addEventListener", "change", dataChange)
	yours := el("button", "Your data…")
	yours.Set("title", "train on your own x,y points (.csv) or a picture (dark = likely); VAE scenes: .npy files (a class each) or MNIST's IDX files; or drop them on the page")
	folder, folderInput := p.folderPicker()
	p.onClick(yours, func() { dataPicker.Call("click") })
	export := el("button", "PNG")
	export.Set("title", "download the picture")
	p.onClick(export, a.exportPNG)
	p.draw = el("button", "Draw…")
	p.draw.Set("title", "draw your own distribution with the mouse, then train on it")
	p.onClick(p.draw, func() { a.queue = append(a.queue, (*app).toggleDrawing) })
	gifButton := el("button", "GIF")
	gifButton.Set("title", "record the picture as an animated GIF; press again to stop and download")
	p.onClick(gifButton, func() { a.queue = append(a.queue, (*app).toggleGIF) })
	for _, b := range []js.Value{save, load, yours, folder, p.draw, export, gifButton, picker, dataPicker, folderInput} {
		files.Call("appendChild", b)
	}
	root.Call("appendChild", files)

	presets := el("select", "")
	presets.Set("title", "the talk's figures, some starting from a model trained in advance")
	first := el("option", "Presets: the talk's figures…")
	first.Set("value", "")
	presets.Call("appendChild", first)
	for _, pr := range lab.Presets {
		o := el("option", pr.Title)
		o.Set("value", pr.Hash)
		presets.Call("appendChild", o)
	}
	presetChange := js.FuncOf(func(this js.Value, args []js.Value) any {
		if h := presets.Get("value").String(); h != "" {
			a.applyHash(h)
		}
		presets.Set("value", "")
		return nil
	})
	p.funcs = append(p.funcs, presetChange)
	presets.Call("addEventListener", "change", presetChange)
	presets.Set("className", "presets")
	root.Call("appendChild", presets)

	p.readout = el("pre", "")
	p.readout.Set("className", "readout")
	p.readout.Set("id", "readout")
	root.Call("appendChild", p.readout)

	form := el("div", "")
	form.Set("className", "settings")
	for _, prop := range lab.Properties() {
		if prop.Name == "embed" || prop.Name == "autoplay" {
			continue // page-level switches, set in the link
		}
		row := el("label", "")
		row.Set("title", prop.Doc)
		name := el("span", prop.Name)
		row.Call("appendChild", name)
		var ctl js.Value
		switch prop.Kind {
		case lab.KindEnum:
			ctl = el("select", "")
			for _, v := range prop.Allowed() {
				o := el("option", v)
				o.Set("value", v)
				ctl.Call("appendChild", o)
			}
		case lab.KindBool:
			ctl = el("input", "")
			ctl.Set("type", "checkbox")
		default:
			ctl = el("input", "")
			ctl.Set("type", "text")
			ctl.Set("inputMode", "decimal")
			ctl.Set("spellcheck", false)
		}
		ctl.Set("name", prop.Name)
		row.Call("appendChild", ctl)
		form.Call("appendChild", row)
		p.controls[prop.Name] = ctl
		prop := prop
		f := js.FuncOf(func(this js.Value, args []js.Value) any {
			v := ctl.Get("value").String()
			if prop.Kind == lab.KindBool {
				v = "0"
				if ctl.Get("checked").Bool() {
					v = "1"
				}
			}
			cfg := a.cfg
			if prop.Name == "model" && slices.Contains(flow.Models, v) {
				// each family starts from its own sensible size (planar and
				// radial flows need many more, much smaller layers)
				d := flow.Defaults(v, 2)
				cfg.Layers, cfg.Hidden = min(d.Layers, 32), min(d.Hidden, 512)
			}
			if err := prop.Set(&cfg, v); err != nil {
				msg := "Not changed: " + err.Error()
				a.queue = append(a.queue, func(a *app) {
					a.lastErr = msg
					a.refreshMessage()
					if a.panel != nil {
						a.panel.sync(a.cfg) // show the value still in force
					}
				})
				return nil
			}
			a.queue = append(a.queue, func(a *app) { a.setConfig(cfg, "") })
			return nil
		})
		p.funcs = append(p.funcs, f)
		ctl.Call("addEventListener", "change", f)
	}
	root.Call("appendChild", form)
	help := el("p", "Keys on the canvas: space play/pause, n one step, r reset, ←/→ the flow's layers or flow matching's time t. The link in the address bar reproduces this run.")
	help.Set("className", "caption")
	root.Call("appendChild", help)
	a.panel = p
	p.sync(a.cfg)
}

func (p *panel) onClick(b js.Value, f func()) {
	fn := js.FuncOf(func(this js.Value, args []js.Value) any { f(); return nil })
	p.funcs = append(p.funcs, fn)
	b.Call("addEventListener", "click", fn)
}

// sync shows cfg's values in the controls.
func (p *panel) sync(cfg lab.Config) {
	if c, ok := captions[cfg.Scene]; ok {
		p.caption.Set("textContent", c)
	}
	for _, prop := range lab.Properties() {
		ctl, ok := p.controls[prop.Name]
		if !ok {
			continue
		}
		v := prop.Get(cfg)
		if prop.Kind == lab.KindBool {
			ctl.Set("checked", v == "1")
		} else {
			ctl.Set("value", v)
		}
	}
}

// update refreshes the readouts when their text changes.
func (p *panel) update(st lab.Status, fps float64) {
	if st.Playing {
		p.play.Set("textContent", "Pause")
	} else {
		p.play.Set("textContent", "Play")
	}
	text := fmt.Sprintf("step        %d\nloss        %s\nsteps/s     %.0f\nfps         %.0f", st.Step, num(st.Loss), st.StepsPerSec, fps)
	if !math.IsNaN(st.HeldOut) {
		text += "\nheld-out    " + num(st.HeldOut)
	}
	if !math.IsNaN(st.Entropy) {
		text += "\nfloor       " + num(st.Entropy) + " (entropy)"
	}
	if text != p.lastText {
		p.readout.Set("textContent", text)
		p.lastText = text
	}
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// setDrawing shows whether the drawing board is open.
func (p *panel) setDrawing(on bool) {
	if on {
		p.draw.Set("textContent", "Train on drawing")
	} else {
		p.draw.Set("textContent", "Draw…")
	}
}
