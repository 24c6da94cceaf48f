//go:build !(js && wasm)

package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"likelab/internal/headless"

	"likelab/core/lab"
)

//go:embed bench.html
var benchHTML []byte

// maxWait bounds a run in the browser: four figures of at most an hour are
// refused by the flags, and a page that never reports is given up on.
const maxWait = 30 * time.Minute

func main() {
	secs := flag.Float64("seconds", lab.DefaultBenchSeconds, "seconds each figure is measured for, after its warm-up")
	only := flag.String("only", "", "comma-separated figures to measure (default all)")
	chromium := flag.String("chromium", "", "the Chromium to run (default $CHROMIUM, /usr/bin/chromium, then chromium on $PATH)")
	flag.Parse()
	if _, err := lab.ParseBenchNames(*only); err != nil || !(*secs > 0 && *secs <= 3600) || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "likelab-bench-wasm: usage: likelab-bench-wasm [--seconds S in (0, 3600]] [--only matmul,flow,vae,grid] [--chromium PATH]")
		os.Exit(2)
	}
	out, err := runInChromium(*secs, *only, *chromium)
	if err != nil {
		fmt.Fprintln(os.Stderr, "likelab-bench-wasm:", err)
		os.Exit(1)
	}
	fmt.Println(out)
}

// runInChromium builds the benchmark for js/wasm, serves it with bench.html
// and wasm_exec.js from a temporary folder on 127.0.0.1, and returns the
// JSON the page reports.
func runInChromium(secs float64, only, exe string) (string, error) {
	if exe == "" {
		p, err := headless.Find()
		if err != nil {
			return "", fmt.Errorf("%v, or give --chromium PATH", err)
		}
		exe = p
	}
	dir, err := os.MkdirTemp("", "likelab-bench-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %v", err)
	}
	wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return "", err
	}
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "bench.wasm"), "likelab/cmd/likelab-bench-wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the benchmark for js/wasm: %v: %s", err, msg)
	}
	for name, b := range map[string][]byte{"wasm_exec.js": wasmExec, "bench.html": benchHTML} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go srv.Serve(ln)
	defer srv.Close()

	// The flags of the project's browser tests (e2e): headless, and nothing
	// in the background that could reach the network.
	ctx, cancel := context.WithTimeout(context.Background(), maxWait)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, headless.Options(exe, filepath.Join(dir, "profile"))...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	q := url.Values{"seconds": {fmt.Sprint(secs)}}
	if only != "" {
		q.Set("only", only)
	}
	if _, err := chromedp.Run(tab, chromedp.Navigate("http://"+ln.Addr().String()+"/bench.html?"+q.Encode())); err != nil {
		return "", fmt.Errorf("opening the page in %s: %v", exe, err)
	}
	for {
		res, err := chromedp.Run(tab, chromedp.Evaluate[string](`window.benchResult || ""`))
		if err != nil {
			return "", fmt.Errorf("reading the result: %v", err)
		}
		if strings.HasPrefix(res, "error") {
			return "", errors.New("the page: " + res)
		}
		if res != "" {
			return res, nil
		}
		time.Sleep(time.Second)
	}
}
