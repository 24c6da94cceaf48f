package e2e

import (
	"os/exec"

	"github.com/chromedp/chromedp"

	"path/filepath"
	"testing"
	"time"
)

// TestSingleFileFromDisk builds the single-file page (make single's
// generator over a fresh site) and opens it from a file:// URL: no server at
// all. It must start, train in its worker, and read nothing but itself.
func TestSingleFileFromDisk(t *testing.T) {
	findChromium(t)
	site := buildSite(t)
	out := filepath.Join(t.TempDir(), "likelab.html")
	cmd := exec.Command("go", "run", "./cmd/mksingle", "-site", site, "-out", out)
	cmd.Dir = repoRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mksingle: %v\n%s", err, b)
	}
	b := newBrowser(t, "file://"+out)
	b.navigate(t, "#data=rings&layers=4&hidden=32")
	st, err := poll(b.ctx, 90*time.Second, "the single file to train 100 steps", func(s Status) bool { return s.Step >= 100 })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("single file from disk: %+v", st)
	inline, _ := eval[bool](b.ctx, `!!window.likelabInline`)
	if !inline {
		t.Errorf("the page did not take its inline path")
	}
	checkCanvas(t, b.ctx, "single-file")
}

// TestOfflineAfterFirstVisit opens the served site once, stops the server,
// and reloads: the service worker must serve the page from its cache and
// the page must train.
func TestOfflineAfterFirstVisit(t *testing.T) {
	findChromium(t)
	base, stop := startStoppableServer(t, buildSite(t))
	b := newBrowser(t, base)
	b.navigate(t, "#data=moons&layers=4&hidden=32")
	if _, err := poll(b.ctx, 60*time.Second, "training online", func(s Status) bool { return s.Step > 0 }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ready, _ := eval[bool](b.ctx, `navigator.serviceWorker.ready.then(r => !!r.active).then(a => a && caches.has("likelab-v1"))`)
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service worker never became active with its cache")
		}
		time.Sleep(300 * time.Millisecond)
	}
	// the cache is filled on install; give it the large files too
	time.Sleep(2 * time.Second)
	stop()
	if err := chromedp.Do(b.ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload with the server gone: %v", err)
	}
	st, err := poll(b.ctx, 60*time.Second, "training with the server gone", func(s Status) bool { return s.Step >= 50 })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("offline: %+v", st)
}
