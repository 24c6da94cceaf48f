package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"likelab/internal/headless"
)

// The harness: building and serving the site, starting Chromium, recording what the
// page does, reading window.likelab.status(), screenshots and frame pacing.

const (
	// browserBudget bounds one browser's whole life, so a hung page cannot hang the
	// test run; each browser test aims to finish in well under 90 s.
	browserBudget = 150 * time.Second
	// evalTimeout bounds one JavaScript evaluation; a status() call takes
	// milliseconds, so this only trips on a page frozen by a long task.
	evalTimeout = 10 * time.Second
	// pollInterval is how often poll asks for the status: a few times per second is
	// enough to see steps grow and cheap next to a 16 ms frame.
	pollInterval = 100 * time.Millisecond
)

// workDir holds what the tests build (the serve binary, the site); TestMain removes it.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "likelab-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoRoot returns the module root: the tests run in e2e/, one level below it.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "serve.go")); err != nil {
		t.Fatalf("e2e: %s does not look like the likelab root (no serve.go)", root)
	}
	return root
}

// findChromium returns the Chromium to drive (headless.Find). Without one the test
// skips, unless CI=true, where a missing browser is a failure (CI must run these tests).
func findChromium(t testing.TB) string {
	t.Helper()
	exe, err := headless.Find()
	if err == nil {
		return exe
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("e2e: " + err.Error() + "; CI=true, so the browser tests must run")
	}
	t.Skip("e2e: " + err.Error())
	return ""
}

var (
	serveOnce sync.Once
	serveBin  string
	serveErr  error

	siteOnce sync.Once
	siteDir  string
	siteErr  error
)

// buildServe builds serve.go once per test run and returns the binary.
func buildServe(t testing.TB) string {
	t.Helper()
	root := repoRoot(t)
	serveOnce.Do(func() {
		bin := filepath.Join(workDir, "serve")
		cmd := exec.Command("go", "build", "-o", bin, "serve.go")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			serveErr = fmt.Errorf("go build serve.go: %v\n%s", err, out)
			return
		}
		serveBin = bin
	})
	if serveErr != nil {
		t.Fatal(serveErr)
	}
	return serveBin
}

// buildSite runs make site into a fresh folder once per test run, so the tests never
// see a stale build, and returns the folder.
func buildSite(t testing.TB) string {
	t.Helper()
	root := repoRoot(t)
	siteOnce.Do(func() {
		dir := filepath.Join(workDir, "site")
		cmd := exec.Command("make", "--no-print-directory", "-C", root, "site", "SITE="+dir)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			siteErr = fmt.Errorf("make site: %v\n%s", err, out)
			return
		}
		t.Logf("make site: %v", time.Since(start).Round(time.Millisecond))
		siteDir = dir
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteDir
}

// startServer runs the real serve binary on a free 127.0.0.1 port over dir until the
// test ends, and returns its base URL (ending in "/").
func startServer(t testing.TB, dir string) string {
	t.Helper()
	base, _ := startStoppableServer(t, dir)
	return base
}

// startStoppableServer is startServer that also returns a function stopping
// the server early (to test what the page does offline).
func startStoppableServer(t testing.TB, dir string) (string, func()) {
	t.Helper()
	cmd := exec.Command(buildServe(t), "-addr", "127.0.0.1:0", "-dir", dir)
	var stderr bytes.Buffer
	out := &firstLine{ready: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when serve has exited, with waitErr set
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		})
	}
	t.Cleanup(stop)

	select {
	case <-out.ready:
		line := out.line()
		i := strings.Index(line, "http://127.0.0.1:")
		if i < 0 {
			t.Fatalf("serve printed %q, want its http://127.0.0.1:PORT/ address", line)
		}
		return line[i:], stop
	case <-exited:
		t.Fatalf("serve exited before serving: %v; stderr: %s", waitErr, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not print its address within 10 s; stderr: %s", stderr.String())
	}
	return "", stop
}

// firstLine is an io.Writer that keeps what is written and closes ready at the
// first newline.
type firstLine struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	done  bool
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && bytes.IndexByte(w.buf.Bytes(), '\n') >= 0 {
		w.done = true
		close(w.ready)
	}
	return len(p), nil
}

func (w *firstLine) line() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, _, _ := strings.Cut(w.buf.String(), "\n")
	return l
}

// browser is one headless Chromium with one tab, and a record of what the tab did.
type browser struct {
	ctx  context.Context // the tab; pass it to chromedp.Run
	base string          // the test server, http://127.0.0.1:PORT/
	host string          // 127.0.0.1:PORT

	mu       sync.Mutex
	requests int      // every request the page made
	foreign  []string // requests to anything but the test server
	problems []string // console errors and uncaught exceptions
	console  []string // every console message, for failure reports
}

// newBrowser starts Chromium with the project's fixed flags and a fresh profile,
// opens a tab (not yet navigated), registers initScripts to run before any page
// script of every document, and starts recording. When the test ends it fails the
// test for every foreign request, console error and exception recorded, and closes
// the browser.
func newBrowser(t *testing.T, base string, initScripts ...string) *browser {
	t.Helper()
	exe := findChromium(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{base: base, host: u.Host}

	// Exactly the flags the project agreed on: headless software WebGL2
	// (SwiftShader), and nothing in the background that could reach the network.
	opts := append(headless.Options(exe, t.TempDir()),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.WindowSize(1280, 800))
	life, cancelLife := context.WithTimeout(context.Background(), browserBudget)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to end
		cancelLife()
		wg.Wait()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	b.ctx = ctx

	// Subscribe before anything happens in the tab; the iterators queue events.
	console := chromedp.Console(ctx)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	sockets := chromedp.Events(ctx, network.WebSocketCreated)
	wg.Go(func() {
		for m, err := range console {
			if err != nil {
				return
			}
			b.onConsole(m)
		}
	})
	wg.Go(func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			b.onRequest(ev.Request.URL)
		}
	})
	wg.Go(func() {
		for ev, err := range sockets {
			if err != nil {
				return
			}
			b.onRequest(ev.URL)
		}
	})
	for _, src := range initScripts {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			t.Fatalf("add init script: %v", err)
		}
	}
	t.Cleanup(func() { b.check(t) }) // runs before the browser closes
	return b
}

// openBrowser is the opening of most browser tests: Chromium (or a skip), a
// fresh build of the site served on localhost, and a new tab on it.
func openBrowser(t *testing.T, initScripts ...string) *browser {
	t.Helper()
	findChromium(t)
	return newBrowser(t, startServer(t, buildSite(t)), initScripts...)
}

// openPage is openBrowser, navigated to path (a query and/or a hash).
func openPage(t *testing.T, path string, initScripts ...string) *browser {
	t.Helper()
	b := openBrowser(t, initScripts...)
	b.navigate(t, path)
	return b
}

func (b *browser) onConsole(m chromedp.ConsoleMessage) {
	line := m.String()
	if m.URL != "" {
		line += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, line)
	if m.Type == chromedp.ConsoleError || m.IsException() || m.Type == "assert" {
		b.problems = append(b.problems, line)
	}
}

func (b *browser) onRequest(u string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests++
	if isForeign(u, b.host) {
		b.foreign = append(b.foreign, u)
	}
}

// isForeign reports whether a request URL leaves the test server at host. data:,
// blob: and about: URLs never touch the network.
func isForeign(raw, host string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return false
	case "http", "ws":
		return u.Host != host
	case "file":
		return host != "" // a page opened from disk may read the disk, nothing else may
	}
	return true
}

// take returns and clears what was recorded against the page.
func (b *browser) take() (foreign, problems []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	foreign, problems = b.foreign, b.problems
	b.foreign, b.problems = nil, nil
	return foreign, problems
}

// check fails the test for every foreign request and page error, and on any failure
// logs the end of the console.
func (b *browser) check(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	for _, u := range b.foreign {
		t.Errorf("the page reached beyond the test server: %s", u)
	}
	for _, p := range b.problems {
		t.Errorf("page error: %s", p)
	}
	const tail = 40 // enough to see a Go panic's trace and what led to it
	lines := slices.Clone(b.console[max(0, len(b.console)-tail):])
	requests := b.requests
	b.mu.Unlock()
	if !t.Failed() {
		return
	}
	t.Logf("last %d console messages (%d requests in all):\n%s", len(lines), requests, strings.Join(lines, "\n"))
	// What the page looked like when the test gave up.
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("no screenshot of the failure: %v", err)
		return
	}
	path := filepath.Join(screenshotDir(), strings.ReplaceAll(t.Name(), "/", "-")+"-failed.png")
	if err := os.MkdirAll(screenshotDir(), 0o755); err == nil {
		if err := os.WriteFile(path, buf, 0o644); err == nil {
			t.Logf("screenshot: %s", path)
		}
	}
}

// navigate opens path (relative to the server, "" for the default page).
func (b *browser) navigate(t *testing.T, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(b.base+path)); err != nil {
		t.Fatalf("navigate to %s%s: %v", b.base, path, err)
	}
}

// eval evaluates a JavaScript expression in the page (awaiting it if it is a
// promise) and decodes its value as T.
func eval[T any](ctx context.Context, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, evalTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// jsString returns s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Status is what window.likelab.status() reports.
type Status struct {
	Scene       string  `json:"scene"`
	Step        int     `json:"step"`
	Loss        float64 `json:"loss"` // JSON has no NaN: a NaN loss arrives as null, read as 0
	StepsPerSec float64 `json:"stepsPerSec"`
	FPS         float64 `json:"fps"`
	Error       string  `json:"error"`
}

// status reads window.likelab.status() from the page of the tab ctx.
func status(ctx context.Context) (Status, error) {
	s, err := eval[string](ctx, `JSON.stringify(window.likelab.status())`)
	if err != nil {
		return Status{}, fmt.Errorf("status(): %w", err)
	}
	return decodeStatus(s)
}

// decodeStatus reads the JSON that status() gave. status() may return an object or
// a JSON string; JSON.stringify wraps the latter once more, so unwrap it.
func decodeStatus(s string) (Status, error) {
	raw := []byte(s)
	var inner string
	if json.Unmarshal(raw, &inner) == nil {
		raw = []byte(inner)
	}
	var st Status
	if err := json.Unmarshal(raw, &st); err != nil {
		return Status{}, fmt.Errorf("status(): %v in %.200q", err, raw)
	}
	return st, nil
}

// poll reads the status every pollInterval until cond holds or timeout passes, and
// returns the last status read. On timeout the error says what was awaited and the
// last status (or the last error, if status() never answered).
func poll(ctx context.Context, timeout time.Duration, what string, cond func(Status) bool) (Status, error) {
	deadline := time.Now().Add(timeout)
	var last Status
	var lastErr error
	seen := false
	for {
		st, err := status(ctx)
		if err == nil {
			last, lastErr, seen = st, nil, true
			if cond(st) {
				return st, nil
			}
		} else {
			lastErr = err
		}
		if time.Now().After(deadline) {
			if !seen || lastErr != nil {
				return last, fmt.Errorf("waited %v for %s; last status error: %v", timeout, what, lastErr)
			}
			return last, fmt.Errorf("waited %v for %s; last status %+v", timeout, what, last)
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// screenshotDir is where screenshots go: $LIKELAB_SCREENSHOTS, or likelab-screens in
// the temporary directory.
func screenshotDir() string {
	if d := os.Getenv("LIKELAB_SCREENSHOTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "likelab-screens")
}

// screenshot saves a full-page PNG as name.png in screenshotDir and returns it decoded.
func screenshot(t *testing.T, ctx context.Context, name string) image.Image {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := screenshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	return img
}

// canvasRect returns where the page's first canvas is in a screenshot, in device
// pixels.
func canvasRect(ctx context.Context) (image.Rectangle, error) {
	r, err := eval[[]float64](ctx, `(() => {
		const c = document.querySelector("canvas");
		if (!c) return [];
		const r = c.getBoundingClientRect(), d = window.devicePixelRatio;
		return [r.left * d, r.top * d, r.right * d, r.bottom * d];
	})()`)
	if err != nil {
		return image.Rectangle{}, err
	}
	if len(r) != 4 {
		return image.Rectangle{}, errors.New("the page has no canvas")
	}
	return image.Rect(int(math.Ceil(r[0])), int(math.Ceil(r[1])), int(r[2]), int(r[3])), nil
}

const (
	// A canvas that never drew is one colour: deviation 0. A few hundred pixels of
	// text on it (a "loading" label) already lift the grey deviation to ~10, so the
	// deviation only rules out the flat case; the colour count tells a label from a
	// picture. TestCanvasStats pins both sides.
	minCanvasStd = 6.0
	// Distinct colours: one for a blank canvas, a few dozen for antialiased text
	// (glyph edges blend two colours); a colormap alone has 256.
	minCanvasColours = 64
)

// canvasStats returns the standard deviation of the grey level (0–255) and the
// number of distinct colours of img inside r.
func canvasStats(img image.Image, r image.Rectangle) (std float64, colours int) {
	r = r.Intersect(img.Bounds())
	seen := make(map[uint32]struct{})
	var sum, sum2 float64
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[(cr>>8)<<16|(cg>>8)<<8|cb>>8] = struct{}{}
			// Rec. 601 luma weights, on 8-bit levels.
			g := (0.299*float64(cr) + 0.587*float64(cg) + 0.114*float64(cb)) / 257
			sum += g
			sum2 += g * g
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	mean := sum / float64(n)
	return math.Sqrt(max(0, sum2/float64(n)-mean*mean)), len(seen)
}

// checkCanvas screenshots the page as name and fails the test if the canvas region
// looks blank.
func checkCanvas(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	img := screenshot(t, ctx, name)
	r, err := canvasRect(ctx)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	std, colours := canvasStats(img, r)
	t.Logf("%s: canvas %v: grey std %.1f, %d colours", name, r, std, colours)
	if std < minCanvasStd || colours < minCanvasColours {
		t.Errorf("%s: the canvas looks blank: grey std %.1f (want ≥ %v), %d colours (want ≥ %d)",
			name, std, minCanvasStd, colours, minCanvasColours)
	}
}

// longTaskScript records main-thread tasks longer than 50 ms (the Long Tasks API's
// threshold) from the start of every document; install it with newBrowser.
const longTaskScript = `(() => {
	window.__e2e = { longTasks: [], observing: false };
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) window.__e2e.longTasks.push([e.startTime, e.duration]);
		}).observe({ type: "longtask", buffered: true });
		window.__e2e.observing = true;
	} catch (err) {}
})();`

// longTask is one main-thread task over 50 ms: start and duration in ms since the
// document's time origin.
type longTask struct{ Start, Duration float64 }

func longTasks(ctx context.Context) ([]longTask, error) {
	observing, err := eval[bool](ctx, `!!(window.__e2e && window.__e2e.observing)`)
	if err != nil {
		return nil, err
	}
	if !observing {
		return nil, errors.New("the long-task observer is not installed (longTaskScript)")
	}
	raw, err := eval[[][2]float64](ctx, `window.__e2e.longTasks`)
	if err != nil {
		return nil, err
	}
	tasks := make([]longTask, len(raw))
	for i, r := range raw {
		tasks[i] = longTask{r[0], r[1]}
	}
	return tasks, nil
}

// frameRate counts requestAnimationFrame callbacks in the page over d and returns
// them per second: frames the page actually got, whatever draws them.
func frameRate(ctx context.Context, d time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, d+evalTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`new Promise((resolve) => {
		const ms = %d, t0 = performance.now();
		let n = 0;
		const tick = () => {
			n++;
			const el = performance.now() - t0;
			if (el < ms) requestAnimationFrame(tick); else resolve(n * 1000 / el);
		};
		requestAnimationFrame(tick);
	})`, d.Milliseconds()), chromedp.EvalAwaitPromise))
}
