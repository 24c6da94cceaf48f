//go:build js && wasm

package main

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"strconv"

	"github.com/hajimehoshi/ebiten/v2"

	"likelab/core/data"
	"likelab/render"
)

// The drawing board (GAN Lab's "draw your own distribution"): the canvas
// becomes the plane [−4, 4]², a held mouse button sprays points around the
// cursor, and "Train on drawing" trains the scene's model on them.
const (
	boardExtent  = 4.0
	sprayPerTick = 3    // points added per 1/60 s while the button is held
	spraySigma   = 0.08 // spread of the spray, in world units
	minDrawn     = 20   // fewer points make no useful target
)

type board struct {
	pts   []float64
	rng   *rand.Rand
	dirty bool
}

// boardRect is the board's square in the canvas (k device pixels per CSS
// pixel), and boardView its world box.
func boardRect(b image.Rectangle, k int) image.Rectangle {
	side := min(b.Dx(), b.Dy()) - 40*k
	x0 := b.Min.X + (b.Dx()-side)/2
	y0 := b.Min.Y + (b.Dy()-side)/2
	return image.Rect(x0, y0, x0+side, y0+side)
}

var boardView = render.View{X0: -boardExtent, X1: boardExtent, Y0: -boardExtent, Y1: boardExtent}

// toggleDrawing enters the drawing board (pausing training), or leaves it
// and trains on what was drawn.
func (a *app) toggleDrawing() {
	if a.board == nil {
		a.host.command("pause")
		a.board = &board{rng: rand.New(rand.NewPCG(uint64(len(a.queue))+1, 7)), dirty: true}
		a.notice("Drawing: hold the mouse button on the canvas to spray points; press Draw again to train on them, Esc to cancel, c to clear.")
		if a.panel != nil {
			a.panel.setDrawing(true)
		}
		return
	}
	pts := a.board.pts
	a.leaveBoard()
	if len(pts)/2 < minDrawn {
		a.notice("Too few points drawn to learn from; nothing changed.")
		return
	}
	var csv bytes.Buffer
	data.WriteCSV(&csv, pts)
	a.host.useFile(a.cfg, "drawing.csv", csv.Bytes(), func(err error) {
		a.queue = append(a.queue, func(a *app) {
			if err != nil {
				a.notice("Not trained on the drawing: " + err.Error())
				return
			}
			a.notice("Training on your drawing (" + strconv.Itoa(len(pts)/2) + " points).")
			a.host.command("play")
		})
	})
}

// drawInput sprays points while the left button is held on the board.
func (a *app) drawInput() {
	bd := a.board
	if ebiten.IsKeyPressed(ebiten.KeyEscape) {
		a.leaveBoard()
		a.notice("Drawing cancelled.")
		return
	}
	if ebiten.IsKeyPressed(ebiten.KeyC) && len(bd.pts) > 0 {
		bd.pts, bd.dirty = bd.pts[:0], true
	}
	if !ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft) || a.rgba == nil {
		return
	}
	cx, cy := ebiten.CursorPosition()
	r := boardRect(a.rgba.Bounds(), textScale(a.scale))
	if !image.Pt(cx, cy).In(r) {
		return
	}
	x, y := boardView.World(r, float64(cx)+0.5, float64(cy)+0.5)
	for i := 0; i < sprayPerTick && len(bd.pts)/2 < data.MaxCSVRows; i++ {
		bd.pts = append(bd.pts, x+spraySigma*bd.rng.NormFloat64(), y+spraySigma*bd.rng.NormFloat64())
	}
	bd.dirty = true
}

// drawBoard renders the board into dst when it changed.
func (a *app) drawBoard(dst *image.RGBA) bool {
	bd := a.board
	if !bd.dirty {
		return false
	}
	bd.dirty = false
	b := dst.Bounds()
	// The board follows the page's theme and draws lines, dots and text k
	// times larger on a HiDPI canvas, as the scenes do.
	th := render.Dark
	if a.cfg.Theme == "light" || a.cfg.Theme == "auto" && a.auto == "light" {
		th = render.Light
	}
	k := textScale(a.scale)
	bg := [4]byte{th.Background.R, th.Background.G, th.Background.B, 255}
	for i := 0; i < len(dst.Pix); i += 4 {
		copy(dst.Pix[i:i+4], bg[:])
	}
	r := boardRect(b, k)
	sub := dst.SubImage(r).(*image.RGBA)
	draw.Draw(sub, r, image.NewUniform(th.Panel), image.Point{}, draw.Src)
	// faint grid lines: a fifth of the way from the panel to the text colour
	mix := func(p, t uint8) uint8 { return uint8((4*int(p) + int(t)) / 5) }
	faint := color.RGBA{mix(th.Panel.R, th.Text.R), mix(th.Panel.G, th.Text.G), mix(th.Panel.B, th.Text.B), 255}
	for v := -boardExtent; v <= boardExtent; v++ {
		render.Polyline(sub, boardView, []float64{v, -boardExtent, v, boardExtent}, faint, float64(k))
		render.Polyline(sub, boardView, []float64{-boardExtent, v, boardExtent, v}, faint, float64(k))
	}
	render.Scatter(sub, boardView, bd.pts, th.Dots, 1.5*float64(k))
	f := render.Font{Scale: k}
	f.Draw(dst, r.Min.X, r.Min.Y-f.Height()-3*k, "draw your own distribution: "+strconv.Itoa(len(bd.pts)/2)+" points", th.Text)
	return true
}

// leaveBoard shows the scene's last picture again.
func (a *app) leaveBoard() {
	a.board = nil
	if a.panel != nil {
		a.panel.setDrawing(false)
	}
	a.showScene = true
}
