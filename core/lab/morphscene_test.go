package lab

import (
	"image"
	"math"
	"testing"
	"time"
)

// TestMorphSceneRuns: the scene trains, decodes the path between the two
// class means into the set number of frames, animates, and takes new
// endpoints and paths as view changes.
func TestMorphSceneRuns(t *testing.T) {
	t.Parallel()
	c := smallVAE("morph")
	c.Frames = 6
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	ms := s.(*MorphScene)
	for s.Status().Step < 10 {
		s.Work(10 * time.Millisecond)
	}
	ms.Settle()
	imgs, codes := ms.Frames()
	v := ms.run.Model
	if len(imgs) != 6*v.Spec.Input() || len(codes) != 6*v.Spec.Latent {
		t.Fatalf("%d image values and %d code values for 6 frames", len(imgs), len(codes))
	}
	// the path's ends are the classes' typical codes (the flow path maps
	// them through the latent flow and back: equal up to rounding)
	sub := ms.run.Train.Subset(ms.subset)
	means, all := ClassMeans(v, sub)
	ends := ClassEnds(means, all, sub)
	a, b := ends[sub.ClassIndex("apple")], ends[sub.ClassIndex("banana")]
	d := v.Spec.Latent
	// 1e-6: the coupling layers' exp/log round trip loses a few digits
	const tol = 1e-6
	for j := 0; j < d; j++ {
		if math.Abs(codes[j]-a[j]) > tol || math.Abs(codes[5*d+j]-b[j]) > tol {
			t.Fatalf("dimension %d: ends %v, %v want %v, %v", j, codes[j], codes[5*d+j], a[j], b[j])
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, 1020, 657))
	if !s.Draw(dst) || distinctColors(dst) < 200 {
		t.Errorf("first Draw: %d colours", distinctColors(dst))
	}
	// the animation moves on by itself
	time.Sleep(morphFrameTime + 10*time.Millisecond)
	if !s.Draw(dst) {
		t.Error("the animation did not redraw after a frame's time")
	}
	// a new path and endpoints, as the page's controls send them
	v2 := s.Config()
	v2.Path, v2.From, v2.To, v2.Frames = "slerp", "lemon", "strawberry", 4
	if !SameRun(s.Config(), v2) {
		t.Fatal("path and endpoints should be view settings")
	}
	ms.SetView(v2)
	s.Work(time.Millisecond)
	imgs, _ = ms.Frames()
	if len(imgs) != 4*v.Spec.Input() || ms.shownCfg.Path != "slerp" || ms.shownCfg.From != "lemon" {
		t.Errorf("after SetView: %d values, shown %s %s→%s", len(imgs), ms.shownCfg.Path, ms.shownCfg.From, ms.shownCfg.To)
	}
	// a change while the flow path's first fit is under way starts over
	// with the new settings rather than finishing the old morph
	fresh := newMorphSceneOn(c, ms.run)
	fresh.advance(time.Now()) // one slice of the fit
	if !fresh.cycling {
		t.Fatal("the flow path's fit finished in one slice; the test needs it in progress")
	}
	fresh.SetView(v2)
	fresh.advance(time.Now().Add(time.Hour))
	if fresh.shownCfg.Path != "slerp" || fresh.shownCfg.Frames != 4 {
		t.Errorf("after a change during the fit: shown %s with %d frames, want slerp with 4", fresh.shownCfg.Path, fresh.shownCfg.Frames)
	}
	// Draw never indexes past the frames on show, whatever the settings say
	v2.Frames = 30
	fresh.SetView(v2)
	fresh.Draw(image.NewRGBA(image.Rect(0, 0, 800, 600)))
	v2.From = "7" // not a fruit: refused, the old endpoints stay
	ms.SetView(v2)
	if s.Config().From != "lemon" || s.Status().Error == "" {
		t.Errorf("endpoint 7 on fruits: from %q, error %q", s.Config().From, s.Status().Error)
	}
	savePicture(t, dst, "morphscene.png")
}

// TestMorphIsNotCrossFade is issue 5's morph check, for apple → banana
// along the straight and the flow paths. Plausible: every intermediate frame lies about as near to
// some training fruit as the model's own end frames do (within
// plausibleRatio). Not a cross-fade: each middle frame (a third to two thirds
// of the way) is nearer to a training fruit than the pixel cross-fade's frame,
// which there is a double exposure of two fruits.
func TestMorphIsNotCrossFade(t *testing.T) {
	t.Parallel()
	run := trainedRun(t)
	v := run.Model
	in, d := v.Spec.Input(), v.Spec.Latent
	s := newMorphSceneOn(smallVAE("morph"), run)
	sub := run.Train.Subset(s.subset)
	means, codes := ClassMeans(v, sub)
	ends := ClassEnds(means, codes, sub)
	lf, err := NewLatentFlow(codes, d, 1)
	if err != nil {
		t.Fatal(err)
	}
	lf.Train(LatentFlowSteps)
	// plausibleRatio: the worst intermediate frame measured was 1.3 times as
	// far from the training fruits as the farther end frame (a frame where
	// one fruit's outline gives way to the other's).
	const plausibleRatio = 1.6
	const frames = 9
	a, b := ends[sub.ClassIndex("apple")], ends[sub.ClassIndex("banana")]
	meanD := map[string]float64{}
	for _, path := range PathNames {
		z := make([]float64, frames*d)
		MorphCodes(z, a, b, frames, path, lf)
		pix := make([]float64, frames*in)
		v.DecodeMeans(z, pix)
		fade := CrossFade(pix[:in], pix[(frames-1)*in:], frames)
		endD := max(nearest(run.Train, pix[:in]), nearest(run.Train, pix[(frames-1)*in:]))
		for f := 1; f < frames-1; f++ {
			dm := nearest(run.Train, pix[f*in:(f+1)*in])
			df := nearest(run.Train, fade[f*in:(f+1)*in])
			t.Logf("%s frame %d: RMS distance to the nearest training fruit %.4f (ends %.4f), cross-fade %.4f", path, f, dm, endD, df)
			meanD[path] += dm / (frames - 2)
			if path == "slerp" {
				// The great circle between two typical codes swings out to
				// the norm of prior draws, off the codes the fruits use:
				// measured 1.6–2× the ends' distance in the middle. It is
				// shown for comparison, not held to the test.
				continue
			}
			if dm > plausibleRatio*endD {
				t.Errorf("%s frame %d: %.4f from the nearest training fruit, over %.1f× the end frames' %.4f", path, f, dm, plausibleRatio, endD)
			}
			if 3*f >= frames-1 && 3*f <= 2*(frames-1) && !(dm < df) {
				t.Errorf("%s frame %d: %.4f from the nearest training fruit, the cross-fade %.4f", path, f, dm, df)
			}
		}
	}
	// The flow path keeps to where the codes lie, so its frames are nearer
	// to training fruits than the straight line's (measured 0.060 vs 0.074).
	if !(meanD["flow"] < meanD["linear"]) {
		t.Errorf("mean distance to the nearest training fruit: flow path %.4f, straight line %.4f; want the flow's smaller", meanD["flow"], meanD["linear"])
	}
}

// nearest is the root-mean-square pixel distance from x to the nearest
// image of im.
func nearest(im interface {
	N() int
	Image(int) []float64
}, x []float64) float64 {
	best := math.Inf(1)
	for i := 0; i < im.N(); i++ {
		s := 0.0
		for j, v := range im.Image(i) {
			e := v - x[j]
			s += e * e
			if s >= best {
				break
			}
		}
		best = min(best, s)
	}
	return math.Sqrt(best / float64(len(x)))
}
