//go:build js && wasm

package main

import (
	"fmt"
	"image"
	"math"
	"runtime/debug"
	"strings"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"likelab/core/lab"
	"likelab/render"
)

// command is a change requested from JavaScript, applied in Update.
type command func(a *app)

// app is the Ebiten game: it owns the configuration, the host running the
// scene, and the picture.
type app struct {
	cfg   lab.Config
	host  host
	queue []command

	rgba  *image.RGBA
	img   *ebiten.Image
	drawn bool
	// firstFrameMs is when the first picture of a scene reached the canvas,
	// in ms since navigation began (performance.now()): issue 7's first
	// frame, read from status().firstFrameMs.
	firstFrameMs float64
	// sinceFull and sinceDraw count the frames since the whole picture, and
	// since any of it, was last drawn to the screen (Draw); packed holds a
	// region's pixels on their way to img.
	sinceFull, sinceDraw int
	packed               []byte
	lastErr              string // the latest problem shown to the user (panic, divergence)
	hashErr              string
	panics               int
	status               lab.Status
	panel                *panel

	note      string // a passing notice (saved, loaded, …)
	noteUntil time.Time
	saving    bool
	lastSave  time.Time
	savedStep int
	panicNext bool // test hook: panic in the next Update
	started   bool // a scene has been configured
	gif       *render.Animation
	gifLast   time.Time
	benchJSON string      // the result of #bench=1, for status().bench
	board     *board      // the drawing board, while drawing
	boardRGBA *image.RGBA // its picture (the scene's stays in rgba)
	showScene bool        // put the scene's picture back after the board
	scale     float64     // the picture's device pixels per CSS pixel (pictureScale)
	auto      string      // what theme=auto stands for: the system's "dark" or "light"
	themeFunc js.Func     // the prefers-color-scheme listener
	// written are the regions copied into img this frame, drawn to the
	// screen in the next (Draw)
	written []image.Rectangle
	// pictureCheck is the answer to the checkPicture test hook, checking
	// one waiting for the screen; partial counts the pictures that came as
	// regions, not whole; regionsOnly turns off the periodic whole redraw
	// (test hook)
	pictureCheck, checking map[string]any
	partial                int
	regionsOnly            bool
}

// notice shows a passing message for a few seconds.
func (a *app) notice(msg string) {
	a.note, a.noteUntil = msg, time.Now().Add(8*time.Second)
	a.refreshMessage()
}

func newApp() *app {
	a := &app{cfg: lab.Default(), scale: 1, auto: "dark"}
	if w := newWorkerHost(); w != nil {
		a.host = w
	} else {
		a.host = &localHost{}
	}
	return a
}

// applyHash parses a URL hash and queues the scene it describes. Bad values
// fall back to defaults and the message says which.
func (a *app) applyHash(h string) string {
	h, bench := takeBench(h)
	if bench {
		a.queue = append(a.queue, (*app).runBench)
	}
	cfg, err := lab.ParseHash(h)
	msg := ""
	if err != nil {
		msg = "Some settings in the link were not understood and use their defaults: " + err.Error()
	}
	a.queue = append(a.queue, func(a *app) { a.setConfig(cfg, msg) })
	return msg
}

// setConfig replaces the scene with one built from cfg.
func (a *app) setConfig(cfg lab.Config, hashMsg string) {
	if a.started && lab.SameRun(a.cfg, cfg) && cfg != a.cfg {
		// only the view changes: the model keeps training
		a.cfg, a.hashErr = cfg, hashMsg
		a.host.view(cfg)
		setEmbed(cfg.Embed)
		a.showTheme()
		replaceHash(cfg.Hash())
		if a.panel != nil {
			a.panel.sync(cfg)
		}
		a.refreshMessage()
		return
	}
	a.started = true
	a.cfg, a.hashErr, a.lastErr = cfg, hashMsg, ""
	a.host.configure(cfg)
	setEmbed(cfg.Embed)
	a.showTheme()
	replaceHash(cfg.Hash())
	if a.panel != nil {
		a.panel.sync(cfg)
	}
	a.refreshMessage()
}

// do queues a named command (play, pause, toggle, step, reset).
func (a *app) do(name string) {
	a.queue = append(a.queue, func(a *app) {
		if name == "reset" {
			a.setConfig(a.cfg, a.hashErr)
			return
		}
		if name != "pause" {
			a.lastErr = "" // the user acts on the message: carry on
		}
		a.host.command(name)
	})
}

func (a *app) refreshMessage() {
	msg := a.hashErr
	note := ""
	if time.Now().Before(a.noteUntil) {
		note = a.note
	}
	problem := msg != "" || a.host.problem() != "" || a.lastErr != ""
	for _, m := range []string{a.host.problem(), a.lastErr, note} {
		if m != "" {
			if msg != "" {
				msg += " "
			}
			msg += m
		}
	}
	showMessage(msg, !problem)
}

// guard runs f, turning a panic into a message on the page: a Go panic in
// the browser would otherwise end the whole app. Training is paused so a
// panic that repeats every frame does not flood the page.
func (a *app) guard(where string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			a.panics++
			a.lastErr = fmt.Sprintf("Internal error in %s: %v (training paused; the model is kept — press play to retry).", where, r)
			println(a.lastErr, string(debug.Stack()))
			a.host.command("pause")
			a.refreshMessage()
		}
	}()
	f()
}

// Update applies queued commands and gives a local scene its time slice. It
// never returns an error: that would end the program (NOTES-browser.md).
func (a *app) Update() error {
	a.guard("a command", func() {
		for len(a.queue) > 0 {
			c := a.queue[0]
			a.queue = a.queue[1:]
			c(a)
		}
	})
	if w, ok := a.host.(*workerHost); ok && w.failed {
		// no worker after all (blocked, or it crashed): train on the page
		a.host = &localHost{}
		a.lastErr = w.err
		a.setConfig(a.cfg, a.hashErr)
	}
	a.guard("a test hook", func() {
		if a.panicNext {
			a.panicNext = false
			panic("test hook: a deliberate panic on the page")
		}
	})
	if a.board != nil {
		a.guard("the drawing board", a.drawInput)
	} else {
		a.guard("the keyboard", a.keys)
	}
	a.guard("autosave", func() { a.maybeAutosave(time.Now()) })
	a.guard("training", func() {
		a.host.tick(time.Duration(a.cfg.Speed) * time.Millisecond)
		st := a.host.status()
		if st.Error != "" && st.Error != a.lastErr {
			a.lastErr = st.Error
		}
		a.status = st
		a.refreshMessage()
	})
	if a.panel != nil {
		a.guard("the panel", func() { a.panel.update(a.status, ebiten.ActualFPS()) })
	}
	return nil
}

// keys: space plays/pauses, n takes one step, r restarts the run, ← and →
// step through the flow's layers or the fm scene's flow time (lab.Scrub).
func (a *app) keys() {
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeySpace):
		a.host.command("toggle")
	case inpututil.IsKeyJustPressed(ebiten.KeyN):
		a.host.command("step")
	case inpututil.IsKeyJustPressed(ebiten.KeyR):
		a.setConfig(a.cfg, a.hashErr)
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowRight), inpututil.IsKeyJustPressed(ebiten.KeyArrowLeft):
		dir := -1
		if inpututil.IsKeyJustPressed(ebiten.KeyArrowRight) {
			dir = 1
		}
		if c := lab.Scrub(a.cfg, dir); c != a.cfg {
			a.setConfig(c, a.hashErr)
		}
	}
}

// Draw blits the scene's picture: only the regions that changed are copied
// in and drawn (in a training scene titles, axes and the target stay put).
// Such regions are copied into img in one frame and drawn to the screen in
// the next (a whole new picture is drawn at once): with no GPU the upload
// and the draw, each a pass in software, then fall in different frames, and
// a new picture cost the page fewer frames while training (headless
// Chromium, 2 cores: 0.87–0.93 of the paused frame rate before, 0.86–0.97
// after, median 0.91; issue 7).
//
// The whole picture is drawn again every redrawEvery frames all the same —
// on a frame that draws anyway while it changes, after redrawEvery quiet
// frames otherwise (half a second at 60 fps) — in case the browser dropped
// the screen's contents; not with regionsOnly (a test hook).
const redrawEvery = 30

func (a *app) Draw(screen *ebiten.Image) {
	a.guard("drawing", func() {
		b := screen.Bounds()
		if a.rgba == nil || a.rgba.Bounds() != b {
			a.rgba = image.NewRGBA(b)
			if a.img != nil {
				a.img.Deallocate()
			}
			a.img = ebiten.NewImage(b.Dx(), b.Dy())
			a.drawn = false
			a.sinceFull, a.sinceDraw = redrawEvery, redrawEvery
			a.written = nil
		}
		a.setLook(textScale(a.scale))
		regions := a.written // copied into img last frame: drawn now
		a.written = nil
		switch {
		case a.board != nil:
			if a.boardRGBA == nil || a.boardRGBA.Bounds() != b {
				a.boardRGBA = image.NewRGBA(b)
				a.board.dirty = true
			}
			if a.drawBoard(a.boardRGBA) {
				a.img.WritePixels(a.boardRGBA.Pix)
				regions = []image.Rectangle{b}
			}
		default:
			written := a.host.frame(a.rgba)
			if a.showScene {
				a.showScene = false
				written = []image.Rectangle{b}
			}
			if len(written) == 0 {
				break
			}
			a.writeRegions(written)
			a.drawn = true
			if len(written) == 1 && written[0] == b {
				regions = written // a whole new picture (a new scene, a new size) is shown at once
				break
			}
			a.partial++
			a.written = written
		}
		// The screen is not cleared between frames, so what did not change
		// need not be drawn again: with no GPU (software WebGL) drawing the
		// whole screen is a real share of a frame.
		a.sinceFull++
		a.sinceDraw++
		periodic := !a.regionsOnly && (a.sinceDraw >= redrawEvery || len(regions) > 0 && a.sinceFull >= redrawEvery)
		switch {
		case periodic:
			screen.DrawImage(a.img, nil)
			a.sinceFull, a.sinceDraw = 0, 0
		case len(regions) > 0:
			for _, r := range regions {
				var op ebiten.DrawImageOptions
				op.GeoM.Translate(float64(r.Min.X), float64(r.Min.Y))
				screen.DrawImage(a.img.SubImage(r).(*ebiten.Image), &op)
			}
			a.sinceDraw = 0
		}
		if a.checking != nil {
			shown := image.NewRGBA(b)
			screen.ReadPixels(shown.Pix)
			a.checking["screen"] = render.Hash(shown)
			a.pictureCheck, a.checking = a.checking, nil
		}
		if len(regions) > 0 && a.drawn && a.board == nil && a.firstFrameMs == 0 {
			a.firstFrameMs = js.Global().Get("performance").Call("now").Float()
		}
		a.recordFrame(time.Now())
	})
}

// writeRegions copies the regions of the scene's picture (a.rgba) into the
// image drawn to the screen.
func (a *app) writeRegions(regions []image.Rectangle) {
	for _, r := range regions {
		if r == a.rgba.Bounds() {
			a.img.WritePixels(a.rgba.Pix)
			continue
		}
		a.packed = render.PackRects(a.packed[:0], a.rgba, []image.Rectangle{r})
		a.img.SubImage(r).(*ebiten.Image).WritePixels(a.packed)
	}
}

// Layout draws at the canvas's device pixels (up to lab.MaxScale per CSS
// pixel), so a HiDPI screen gets a sharp picture; Ebiten's canvas buffer is
// already CSS size × devicePixelRatio, and a screen of that size is blitted
// 1:1 instead of stretched. Scenes scale text and lines by the same factor
// (lab.Looker), so the layout does not jump; at 1× nothing changes.
func (a *app) Layout(w, h int) (int, int) {
	a.scale = pictureScale()
	return max(int(math.Round(float64(w)*a.scale)), 1), max(int(math.Round(float64(h)*a.scale)), 1)
}

// statusJSON is window.likelab.status(): lab's Status plus the frame rate.
func (a *app) statusJSON() map[string]any {
	st := a.status
	errText := a.lastErr
	for _, e := range []string{a.host.problem(), a.hashErr} {
		if errText == "" {
			errText = e
		}
	}
	var bench any
	if a.benchJSON != "" {
		bench = js.Global().Get("JSON").Call("parse", a.benchJSON)
	}
	return map[string]any{
		"bench": bench,
		"scene": a.cfg.Scene, "step": st.Step, "loss": finiteOrNil(st.Loss), "stepsPerSec": st.StepsPerSec,
		"fps": ebiten.ActualFPS(), "playing": st.Playing, "error": errText, "hash": a.cfg.Hash(), "panics": a.panics,
		"firstFrameMs": a.firstFrameMs, "pictureCheck": a.pictureCheck,
	}
}

func finiteOrNil(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// takeBench removes bench=1 from a hash: it asks for the speed benchmark
// (issue 7's figures), a mode of the page rather than a setting of a run.
func takeBench(h string) (string, bool) {
	h = strings.TrimPrefix(h, "#")
	var kept []string
	bench := false
	for _, part := range strings.Split(h, "&") {
		if part == "bench=1" || part == "bench" {
			bench = true
			continue
		}
		if part != "" {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, "&"), bench
}

// runBench pauses training and measures the core's speed in the worker (or
// here, without one); the figures go to status().bench and the message.
func (a *app) runBench() {
	a.host.command("pause")
	a.benchJSON = ""
	a.notice("Measuring speed (lab.Bench, about 15 s)…")
	a.host.bench(func(stage string) {
		a.queue = append(a.queue, func(a *app) { a.notice("Measuring speed: " + stage + "…") })
	}, func(result string) {
		a.queue = append(a.queue, func(a *app) {
			a.benchJSON = result
			a.notice("Speed: " + result)
		})
	})
}

// checkPicture (test hook) compares three copies of the scene's picture: the
// host's (the worker's picture as the page should have it), the page's
// (rgba, patched region by region) and the screen's (read back at the end of
// the next Draw). Their render.Hash values go to status().pictureCheck. With
// regionsOnly set, the screen is only ever drawn whole for a whole new
// picture, so its agreement checks the drawing of regions too.
func (a *app) checkPicture() {
	a.pictureCheck, a.checking = nil, nil
	a.host.pictureHash(func(host string) {
		a.queue = append(a.queue, func(a *app) {
			if a.rgba == nil || a.board != nil {
				a.pictureCheck = map[string]any{"host": host, "page": "", "screen": "", "partial": a.partial}
				return
			}
			a.checking = map[string]any{"host": host, "page": render.Hash(a.rgba), "partial": a.partial}
		})
	})
}
