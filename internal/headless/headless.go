// Package headless finds and starts the headless Chromium that the browser
// tests (e2e) and the Chromium benchmark (cmd/likelab-bench-wasm) drive, with
// one set of flags, so both measure and check the same browser set-up.
package headless

import (
	"errors"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium says no browser was found; callers skip or fail with it.
var ErrNoChromium = errors.New("no Chromium found (set $CHROMIUM, or apt-get install chromium)")

// Find returns the Chromium to drive: $CHROMIUM, /usr/bin/chromium, or
// chromium or chromium-browser on the PATH, the first that is an
// executable file.
func Find() (string, error) {
	candidates := []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium"}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return c, nil
		}
	}
	return "", ErrNoChromium
}

// Options are the allocator options for exe with a fresh profile in
// userDataDir: headless, no sandbox (containers), no GPU, and nothing in the
// background (QUIC, component updates, sync, first-run pages) that could
// reach the network, so a test that records requests sees only the page's.
func Options(exe, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(userDataDir),
	}
}
