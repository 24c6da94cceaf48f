package e2e

import (
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDrawYourOwn draws a ring with the mouse on the drawing board (GAN
// Lab's "draw your own distribution") and trains the flow on it.
func TestDrawYourOwn(t *testing.T) {
	b := openPage(t, "#layers=4&hidden=32")
	ctx := b.ctx
	if _, err := poll(ctx, 60*time.Second, "training", func(s Status) bool { return s.Step > 10 }); err != nil {
		t.Fatal(err)
	}
	eval[any](ctx, `window.likelab.draw()`)
	waitMessage(t, b, "Drawing:")
	r, err := canvasRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cx, cy := float64(r.Min.X+r.Dx()/2), float64(r.Min.Y+r.Dy()/2)
	rad := float64(min(r.Dx(), r.Dy())) / 4
	// press, drag round a circle slowly (the board sprays while the button is held), release
	acts := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, cx+rad, cy, chromedp.ButtonLeft, chromedp.ClickCount(1))}
	for i := 1; i <= 60; i++ {
		a := 2 * math.Pi * float64(i) / 60
		acts = append(acts, chromedp.MouseEvent(chromedp.MouseMoved, cx+rad*math.Cos(a), cy+rad*math.Sin(a), chromedp.ButtonLeft),
			chromedp.Sleep(40*time.Millisecond))
	}
	acts = append(acts, chromedp.MouseEvent(chromedp.MouseReleased, cx+rad, cy, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatal(err)
	}
	checkCanvas(t, ctx, "drawing-board")
	before, _ := status(ctx)
	eval[any](ctx, `window.likelab.draw()`)
	msg := waitMessage(t, b, "Training on your drawing")
	t.Logf("%s", msg)
	if _, err := poll(ctx, 30*time.Second, "training on the drawing", func(s Status) bool { return s.Step > 30 && s.Step < before.Step }); err != nil {
		// a new run starts from step 0; it must have passed 30 steps and be below the old count
		if _, err2 := poll(ctx, 30*time.Second, "training on the drawing", func(s Status) bool { return s.Step > 30 }); err2 != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second)
	checkCanvas(t, ctx, "drawing-trained")
}
