package e2e

import (
	"testing"
	"time"
)

// bananaLogZ is log(2π·1·0.1), the banana energy's log Z (core/data): the
// reverse-KL loss is KL(q‖p) − log Z, never far below −log Z.
const bananaLogZ = -0.4647

// TestISScene opens the importance-sampling scene: a flow trains by reverse
// KL to the banana energy, its loss falls towards its floor −log Z, and the
// picture (target, flow and Gaussian proposals with weighted draws, the
// log Z and ESS charts) is drawn.
func TestISScene(t *testing.T) {
	b := openPage(t, "#scene=is&energy=banana&layers=4&hidden=32")
	ctx := b.ctx
	first, err := poll(ctx, 60*time.Second, "the first training steps", func(s Status) bool { return s.Step >= 5 })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first status: %+v", first)
	trained, err := poll(ctx, 120*time.Second, "300 more steps and a lower loss", func(s Status) bool {
		return s.Step >= first.Step+300 && isFinite(s.Loss) && s.Loss < first.Loss
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after training: %+v", trained)
	if trained.Scene != "is" || trained.Error != "" {
		t.Errorf("status: %+v", trained)
	}
	// A batch of 256 draws can dip below the floor by its sampling error, a
	// few hundredths of a nat once trained; a whole nat means a wrong loss.
	if trained.Loss < -bananaLogZ-1 {
		t.Errorf("loss %v is below its floor −log Z = %v", trained.Loss, -bananaLogZ)
	}
	if h, _ := eval[string](ctx, `location.hash`); h != "#scene=is&layers=4&hidden=32" {
		t.Errorf("hash: %q (banana is the default energy)", h)
	}
	time.Sleep(1500 * time.Millisecond) // a frame with the latest estimates
	checkCanvas(t, ctx, "is-scene")
}
