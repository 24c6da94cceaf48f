//go:build js && wasm

package main

import (
	"bytes"
	"image"
	"image/color"
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

// rect is the board's square in the canvas, and view its world box.
func boardRect(b image.Rectangle) image.Rectangle {
	side := min(b.Dx(), b.Dy()) - 40
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
	r := boardRect(a.rgba.Bounds())
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
	bg := [4]byte{18, 18, 24, 255}
	for i := 0; i < len(dst.Pix); i += 4 {
		copy(dst.Pix[i:i+4], bg[:])
	}
	r := boardRect(b)
	sub := dst.SubImage(r).(*image.RGBA)
	faint := color.RGBA{60, 60, 80, 255}
	for k := -boardExtent; k <= boardExtent; k++ {
		render.Polyline(sub, boardView, []float64{k, -boardExtent, k, boardExtent}, faint, 1)
		render.Polyline(sub, boardView, []float64{-boardExtent, k, boardExtent, k}, faint, 1)
	}
	render.Scatter(sub, boardView, bd.pts, color.RGBA{255, 255, 255, 230}, 1.5)
	render.Text(dst, r.Min.X, r.Min.Y-16, "draw your own distribution: "+strconv.Itoa(len(bd.pts)/2)+" points", color.RGBA{230, 230, 230, 255})
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
