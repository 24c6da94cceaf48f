package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// secret is the content of a file outside the site folder; no response may contain it.
const secret = "SECRET-OUTSIDE-THE-SITE"

// compressibleText returns n bytes of text that gzip shrinks (repeated words) but that
// is not trivially constant.
func compressibleText(n int, seed uint64) []byte {
	rnd := rand.New(rand.NewPCG(seed, seed))
	words := []string{"flow ", "coupling ", "density ", "banana ", "apple ", "latent ", "\n"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[rnd.IntN(len(words))])
	}
	return b.Bytes()[:n]
}

// newSite lays out a site folder with a sibling secret, and returns the site folder.
func newSite(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	site := filepath.Join(top, "site")
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(top, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("secret.txt", []byte(secret))
	write("outside/secret.txt", []byte(secret))
	write("go.mod", []byte(secret))
	write("site/index.html", append([]byte("<!doctype html><title>likelab</title>"), compressibleText(3000, 1)...))
	write("site/wasm_exec.js", compressibleText(5000, 2))
	write("site/likelab.wasm", append([]byte("\x00asm\x01\x00\x00\x00"), compressibleText(20000, 3)...))
	write("site/style.css", []byte("body{}"))
	write("site/points.json", []byte("[]"))
	write("site/pic.png", compressibleText(5000, 4)) // compressible bytes, but PNGs are not gzipped
	write("site/notes.xyz", []byte("?"))
	write("site/small.js", []byte("1"))
	write("site/sub/page.txt", []byte("page"))
	write("site/.env", []byte(secret))
	write("site/.git/config", []byte(secret))
	write("site/sub/.hidden", []byte(secret))
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(site, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("../secret.txt", "escape.txt")
	link(filepath.Join(top, "secret.txt"), "absolute.txt")
	link("../outside", "linkdir")
	link("wasm_exec.js", "alias.js") // inside the folder: allowed
	return site
}

func newTestHandler(t *testing.T, site string) *siteHandler {
	t.Helper()
	h, err := newSiteHandler(site)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.close() })
	return h
}

func get(h http.Handler, target string, header ...string) *http.Response {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func TestContentTypes(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, newSite(t))
	for i, test := range []struct{ path, want string }{
		{"/", "text/html; charset=utf-8"},
		{"/index.html", "text/html; charset=utf-8"},
		{"/wasm_exec.js", "text/javascript; charset=utf-8"},
		{"/alias.js", "text/javascript; charset=utf-8"},
		{"/likelab.wasm", "application/wasm"},
		{"/style.css", "text/css; charset=utf-8"},
		{"/points.json", "application/json"},
		{"/pic.png", "image/png"},
		{"/sub/page.txt", "text/plain; charset=utf-8"},
		{"/notes.xyz", "application/octet-stream"},
	} {
		resp := get(h, test.path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("test %d: %s: status %d", i, test.path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != test.want {
			t.Errorf("test %d: %s: got %q want %q", i, test.path, got, test.want)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("test %d: %s: X-Content-Type-Options %q", i, test.path, got)
		}
	}
}

func TestContent(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	h := newTestHandler(t, site)
	for i, test := range []struct{ path, file string }{
		{"/", "index.html"},
		{"/likelab.wasm", "likelab.wasm"},
		{"/alias.js", "wasm_exec.js"},
		{"/sub/page.txt", "sub/page.txt"},
	} {
		want, err := os.ReadFile(filepath.Join(site, test.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := body(t, get(h, test.path)); !bytes.Equal(got, want) {
			t.Errorf("test %d: %s: got %d bytes, want the %d of %s", i, test.path, len(got), len(want), test.file)
		}
	}
	resp := httptest.NewRecorder()
	h.ServeHTTP(resp, httptest.NewRequest(http.MethodHead, "/likelab.wasm", nil))
	if resp.Code != http.StatusOK || resp.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d body bytes", resp.Code, resp.Body.Len())
	}
	resp = httptest.NewRecorder()
	h.ServeHTTP(resp, httptest.NewRequest(http.MethodPost, "/index.html", nil))
	if resp.Code != http.StatusMethodNotAllowed || resp.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", resp.Code, resp.Header().Get("Allow"))
	}
}

func TestGzip(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	h := newTestHandler(t, site)
	wasm, err := os.ReadFile(filepath.Join(site, "likelab.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	for i, test := range []struct {
		path, accept string
		gzipped      bool
	}{
		{"/likelab.wasm", "gzip", true},
		{"/likelab.wasm", "gzip, deflate, br, zstd", true}, // what Chromium sends
		{"/likelab.wasm", "br;q=1.0, gzip;q=0.5", true},
		{"/likelab.wasm", "*", true},
		{"/likelab.wasm", "", false},
		{"/likelab.wasm", "gzip;q=0", false},
		{"/likelab.wasm", "br", false},
		{"/wasm_exec.js", "gzip", true},
		{"/", "gzip", true},
		{"/pic.png", "gzip", false},  // already compressed formats are left alone
		{"/small.js", "gzip", false}, // below one TCP segment gzip gains nothing
	} {
		resp := get(h, test.path, "Accept-Encoding", test.accept)
		b := body(t, resp)
		enc := resp.Header.Get("Content-Encoding")
		if got := enc == "gzip"; got != test.gzipped {
			t.Errorf("test %d: %s with %q: Content-Encoding %q, want gzip %v", i, test.path, test.accept, enc, test.gzipped)
			continue
		}
		if test.gzipped {
			b = gunzip(t, b)
			if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("test %d: %s: gzipped without Vary: Accept-Encoding", i, test.path)
			}
		}
		if test.path == "/likelab.wasm" && !bytes.Equal(b, wasm) {
			t.Errorf("test %d: %s with %q: content differs from the file", i, test.path, test.accept)
		}
	}
}

func TestGzipPrecompressed(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	h := newTestHandler(t, site)
	wasmPath := filepath.Join(site, "likelab.wasm")
	fi, err := os.Stat(wasmPath)
	if err != nil {
		t.Fatal(err)
	}
	// A .gz whose content differs from the file, so the test sees which one was sent.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte("precompressed"))
	zw.Close()
	gzPath := wasmPath + ".gz"
	if err := os.WriteFile(gzPath, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := fi.ModTime()
	for i, test := range []struct {
		gzTime time.Time
		want   string // what the decompressed body starts with
	}{
		{mtime, "precompressed"},                  // gzip -k keeps the original's time
		{mtime.Add(time.Second), "precompressed"}, // written after the build
		{mtime.Add(-time.Second), "\x00asm"},      // stale: left from an older build
	} {
		if err := os.Chtimes(gzPath, test.gzTime, test.gzTime); err != nil {
			t.Fatal(err)
		}
		resp := get(h, "/likelab.wasm", "Accept-Encoding", "gzip")
		if enc := resp.Header.Get("Content-Encoding"); enc != "gzip" {
			t.Fatalf("test %d: Content-Encoding %q", i, enc)
		}
		if got := gunzip(t, body(t, resp)); !bytes.HasPrefix(got, []byte(test.want)) {
			t.Errorf("test %d: got %.13q… want %q…", i, got, test.want)
		}
	}
}

func TestConditional(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	h := newTestHandler(t, site)
	for i, accept := range []string{"", "gzip"} {
		resp := get(h, "/likelab.wasm", "Accept-Encoding", accept)
		body(t, resp)
		etag := resp.Header.Get("ETag")
		if etag == "" || resp.Header.Get("Last-Modified") == "" || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("test %d: ETag %q, Last-Modified %q, Cache-Control %q", i, etag,
				resp.Header.Get("Last-Modified"), resp.Header.Get("Cache-Control"))
		}
		if resp := get(h, "/likelab.wasm", "Accept-Encoding", accept, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("test %d: If-None-Match %s: status %d want 304", i, etag, resp.StatusCode)
		}
	}
	plain := get(h, "/likelab.wasm").Header.Get("ETag")
	zipped := get(h, "/likelab.wasm", "Accept-Encoding", "gzip").Header.Get("ETag")
	if plain == zipped {
		t.Errorf("plain and gzipped responses share ETag %s", plain)
	}

	// A rebuild (new content, new time) must be picked up, not answered with 304.
	p := filepath.Join(site, "likelab.wasm")
	if err := os.WriteFile(p, []byte("\x00asm rebuilt"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	resp := get(h, "/likelab.wasm", "If-None-Match", plain)
	if b := body(t, resp); resp.StatusCode != http.StatusOK || string(b) != "\x00asm rebuilt" {
		t.Errorf("after rebuild: status %d, body %q", resp.StatusCode, b)
	}
}

// rawGet sends path verbatim on the wire, so neither a client library nor a URL parser
// cleans it first, and returns the status and body.
func rawGet(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRejects(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newTestHandler(t, newSite(t)))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for i, test := range []struct {
		path string
		want int
	}{
		{"/../go.mod", http.StatusBadRequest},
		{"/../secret.txt", http.StatusBadRequest},
		{"/sub/../../secret.txt", http.StatusBadRequest},
		{"/%2e%2e/secret.txt", http.StatusBadRequest},
		{"/%2E%2E/go.mod", http.StatusBadRequest},
		{"/sub/%2e%2e/%2e%2e/secret.txt", http.StatusBadRequest},
		{"/..%2fsecret.txt", http.StatusBadRequest},
		{"/%2e%2e%2fsecret.txt", http.StatusBadRequest},
		{"/sub%2fpage.txt", http.StatusBadRequest},
		{"/sub%2Fpage.txt", http.StatusBadRequest},
		{"/..%5csecret.txt", http.StatusBadRequest},
		{"/..\\secret.txt", http.StatusBadRequest},
		{"/sub/./page.txt", http.StatusBadRequest},
		{"//secret.txt", http.StatusBadRequest},
		{"/%00", http.StatusBadRequest},
		{"/.env", http.StatusBadRequest},
		{"/.git/config", http.StatusBadRequest},
		{"/sub/.hidden", http.StatusBadRequest},
		{"/%2eenv", http.StatusBadRequest},
		{"/escape.txt", http.StatusNotFound},         // relative symlink out of the folder
		{"/absolute.txt", http.StatusNotFound},       // absolute symlink out of the folder
		{"/linkdir/secret.txt", http.StatusNotFound}, // symlinked folder outside
		{"/sub", http.StatusNotFound},                // a folder: no listing
		{"/sub/", http.StatusNotFound},               // a folder without index.html
		{"/missing.js", http.StatusNotFound},
		{"/likelab.wasm.gz", http.StatusNotFound},
		{"/sub/page.txt", http.StatusOK}, // the control: the table does reach the files
	} {
		code, b := rawGet(t, addr, test.path)
		if code != test.want {
			t.Errorf("test %d: GET %s: got %d want %d", i, test.path, code, test.want)
		}
		if strings.Contains(b, secret) {
			t.Errorf("test %d: GET %s: the response leaks a file outside the site", i, test.path)
		}
	}
}

func TestGzipCache(t *testing.T) {
	t.Parallel()
	type file struct {
		name    string
		size    int
		modtime time.Time
	}
	fi := func(f file) os.FileInfo { return fakeInfo(f) }
	t0 := time.Unix(1000, 0)
	data := compressibleText(20000, 5)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(data)
	zw.Close()
	c := gzipCache{max: 5 * zb.Len() / 2} // room for two entries, not three
	for _, f := range []file{{"a", 20000, t0}, {"a", 20000, t0.Add(time.Second)}, {"b", 20000, t0}} {
		got, err := c.get(f.name, fi(f), bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gunzip(t, got), data) {
			t.Fatalf("%v: round trip differs", f)
		}
	}
	// The older build of a is gone; the newer a and b remain.
	if len(c.entries) != 2 {
		t.Errorf("after two builds of a and one of b: %d entries want 2", len(c.entries))
	}
	if c.size() > c.max {
		t.Errorf("cache holds %d bytes, bound %d", c.size(), c.max)
	}
	// A file whose gzip alone exceeds the bound is served but not kept.
	big := compressibleText(10*len(data), 6)
	got, err := c.get("big", fi(file{"big", len(big), t0}), bytes.NewReader(big))
	if err != nil || !bytes.Equal(gunzip(t, got), big) {
		t.Fatalf("big: %v", err)
	}
	if c.size() > c.max {
		t.Errorf("after big: cache holds %d bytes, bound %d", c.size(), c.max)
	}
}

type fakeInfo struct {
	name    string
	size    int
	modtime time.Time
}

func (f fakeInfo) Name() string       { return f.name }
func (f fakeInfo) Size() int64        { return int64(f.size) }
func (f fakeInfo) Mode() os.FileMode  { return 0o644 }
func (f fakeInfo) ModTime() time.Time { return f.modtime }
func (f fakeInfo) IsDir() bool        { return false }
func (f fakeInfo) Sys() any           { return nil }

// TestServeBinary builds serve.go and runs it as make serve does: it must print its
// URL, serve, and exit 0 on SIGTERM; a missing folder is a one-line error.
func TestServeBinary(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "serve")
	if out, err := exec.Command("go", "build", "-o", bin, "serve.go").CombinedOutput(); err != nil {
		t.Fatalf("go build serve.go: %v\n%s", err, out)
	}
	site := newSite(t)

	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", site)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("no output from serve: %v", sc.Err())
	}
	line := sc.Text()
	i := strings.Index(line, "http://127.0.0.1:")
	if i < 0 {
		t.Fatalf("serve printed %q, want its http://127.0.0.1:PORT/ URL", line)
	}
	url := line[i:]
	resp, err := http.Get(url + "wasm_exec.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %swasm_exec.js: status %d", url, resp.StatusCode)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v, want exit 0", err)
	}

	out, err := exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", filepath.Join(tmp, "nope")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not found") || strings.Count(string(out), "\n") != 1 {
		t.Errorf("missing folder: err %v, output %q", err, out)
	}
}
