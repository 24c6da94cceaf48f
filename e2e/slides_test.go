package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSlidesDrivePausedDemos opens the example deck (docs/slides.html): its
// embedded demos start paused (autoplay=0, embed=1), a click on the slide's
// Play button reaches the demo by postMessage, and the demo's answers show
// its progress on the slide.
func TestSlidesDrivePausedDemos(t *testing.T) {
	b := openPage(t, "slides.html")
	ctx := b.ctx
	read := func() string {
		s, _ := eval[string](ctx, `document.querySelector("section.current .status").textContent`)
		return s
	}
	// the demo answers with its status while paused at step 0
	deadline := time.Now().Add(60 * time.Second)
	for !strings.HasPrefix(read(), "step 0") {
		if time.Now().After(deadline) {
			t.Fatalf("the paused demo never reported step 0; slide says %q", read())
		}
		time.Sleep(300 * time.Millisecond)
	}
	embedded, _ := eval[bool](ctx, `document.querySelector("section.current iframe").contentDocument.documentElement.classList.contains("embed")`)
	if !embedded {
		t.Errorf("the demo in the slide is not in embed mode")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`section.current button[data-cmd="play"]`))); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(60 * time.Second)
	for {
		s := read()
		var step int
		if _, err := fmt.Sscanf(s, "step %d", &step); err == nil && step >= 20 {
			t.Logf("slide after Play: %q", s)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Play on the slide did not start the demo; slide says %q", s)
		}
		time.Sleep(300 * time.Millisecond)
	}
	screenshot(t, ctx, "slides")
}
