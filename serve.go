// Command serve is likelab's static file server for the built site (make site):
//
//	go run serve.go [-addr 127.0.0.1:8080] [-dir site]
//
// It serves only regular files inside -dir (no path traversal, no dotfiles, no
// directory listings), with the MIME types browsers insist on (application/wasm for
// instantiateStreaming), gzip when the client accepts it (a precompressed name.gz
// beside the file if it is not older than the file, else compressed on the fly and
// kept in a small cache), and Cache-Control: no-cache with ETag/Last-Modified so a
// rebuilt likelab.wasm is always picked up while an unchanged one costs a 304.
// It binds only to -addr and stops cleanly on Ctrl-C or SIGTERM.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free one)")
	dir := flag.String("dir", "site", "`folder` to serve (built by make site)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run serve.go [-addr host:port] [-dir folder]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "serve: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*addr, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// run serves dir on addr until SIGINT or SIGTERM.
func run(addr, dir string) error {
	h, err := newSiteHandler(dir)
	if err != nil {
		return err
	}
	defer h.close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: h,
		// Guards against clients that open a connection and never send a request.
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(os.Stderr, "serve: ", 0),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The e2e harness reads this line to learn the port when -addr ends in :0.
	fmt.Printf("serving %s on http://%s/\n", dir, ln.Addr())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop() // a second Ctrl-C kills the process the usual way
	fmt.Println("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// siteHandler serves the files of one folder.
type siteHandler struct {
	// root confines every open to the folder: os.Root refuses names that leave it,
	// through ".." or through symbolic links.
	root *os.Root
	gz   gzipCache
}

// newSiteHandler returns a handler for the folder dir, which must exist.
func newSiteHandler(dir string) (*siteHandler, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("site folder %q not found (run make site first)", dir)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%q is not a folder", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &siteHandler{root: root, gz: gzipCache{max: gzipCacheBytes}}, nil
}

func (h *siteHandler) close() error { return h.root.Close() }

func (h *siteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := cleanName(r)
	if !ok {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	if name == "" || strings.HasSuffix(name, "/") {
		name += "index.html" // never a listing
	}
	f, fi, err := h.open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()

	ctype := contentType(name)
	hd := w.Header()
	hd.Set("Content-Type", ctype)
	hd.Set("Cache-Control", "no-cache") // revalidate every time: a rebuilt wasm must be picked up
	hd.Set("X-Content-Type-Options", "nosniff")
	// Size and modification time change with every build; the suffix keeps the
	// gzipped and plain representations apart, as HTTP requires.
	etag := fmt.Sprintf("%x-%x", fi.Size(), fi.ModTime().UnixNano())
	modtime := fi.ModTime()
	var body io.ReadSeeker = f

	if compressible(ctype) && fi.Size() >= gzipMinBytes {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			if gz, gfi := h.precompressed(name, fi); gz != nil {
				defer gz.Close()
				body, etag, modtime = gz, etag+"-gz", gfi.ModTime()
				hd.Set("Content-Encoding", "gzip")
			} else if b, err := h.gz.get(name, fi, f); err == nil {
				body, etag = bytes.NewReader(b), etag+"-gzip"
				hd.Set("Content-Encoding", "gzip")
			} else if _, err := f.Seek(0, io.SeekStart); err != nil {
				http.Error(w, "read error", http.StatusInternalServerError)
				return
			}
		}
	}
	hd.Set("ETag", `"`+etag+`"`)
	http.ServeContent(w, r, name, modtime, body)
}

var errNotRegular = errors.New("not a regular file")

// open opens name if it is a regular file inside the site folder.
func (h *siteHandler) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := h.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotRegular
	}
	return f, fi, nil
}

// precompressed opens name.gz if it is a regular file at least as new as name: a .gz
// left over from an older build must never be served in place of a rebuilt file.
func (h *siteHandler) precompressed(name string, orig fs.FileInfo) (*os.File, fs.FileInfo) {
	f, fi, err := h.open(name + ".gz")
	if err != nil {
		return nil, nil
	}
	if fi.ModTime().Before(orig.ModTime()) {
		f.Close()
		return nil, nil
	}
	return f, fi
}

// cleanName returns the request path as a name relative to the site folder ("" for the
// folder itself; a trailing "/" kept), or false if it tries to leave the folder, names
// a dotfile, or hides a separator in an escape.
func cleanName(r *http.Request) (string, bool) {
	raw := strings.ToLower(r.URL.EscapedPath())
	// An encoded slash or backslash would be one path segment to us but two to the
	// file system.
	if strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") {
		return "", false
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return "", false
	}
	p = p[1:]
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		// "." and ".." are caught here too: every dot-led segment is refused. An empty
		// segment ("//") is allowed only last, as a folder's trailing slash.
		if strings.HasPrefix(seg, ".") || (seg == "" && i < len(segs)-1) {
			return "", false
		}
	}
	return p, true
}

// mimeTypes pins the types that matter instead of trusting the machine's mime.types:
// instantiateStreaming requires application/wasm, and module scripts a JavaScript type.
var mimeTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".wasm": "application/wasm",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".map":  "application/json",
	".txt":  "text/plain; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".gif":  "image/gif",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".webp": "image/webp",
	".ico":  "image/x-icon",
	".gz":   "application/gzip",
	".npy":  "application/octet-stream",
}

// contentType returns the MIME type for a file name.
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := mimeTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible reports whether gzip is worth trying on a type: text and wasm shrink
// 3–4× (a minimal Ebiten app is 10.6 MB raw, 2.6 MB gzipped); images and archives are
// compressed already.
func compressible(ctype string) bool {
	t, _, _ := strings.Cut(ctype, ";")
	switch t {
	case "application/wasm", "application/json", "image/svg+xml", "application/xml":
		return true
	}
	return strings.HasPrefix(t, "text/")
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (or *) with a
// non-zero quality.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

const (
	// gzipMinBytes: below about one TCP segment (~1460 bytes) gzip saves no round trip.
	gzipMinBytes = 1400
	// gzipCacheBytes bounds the memory kept for on-the-fly gzip: a few builds of a
	// ~3 MB compressed wasm plus the page.
	gzipCacheBytes = 64 << 20
)

// gzipCache keeps the gzip of files by name, size and modification time, so a rebuilt
// file is compressed afresh.
type gzipCache struct {
	max int // bytes of compressed data kept at most

	mu      sync.Mutex
	entries map[gzipKey]*gzipEntry
}

type gzipKey struct {
	name    string
	size    int64
	modtime int64
}

type gzipEntry struct {
	once sync.Once // concurrent first requests compress once
	data []byte    // written under gzipCache.mu
	err  error
}

// get returns the gzip of f, whose state is fi, computing it on first use.
func (c *gzipCache) get(name string, fi fs.FileInfo, f io.Reader) ([]byte, error) {
	key := gzipKey{name, fi.Size(), fi.ModTime().UnixNano()}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = make(map[gzipKey]*gzipEntry)
	}
	e, ok := c.entries[key]
	if !ok {
		e = &gzipEntry{}
		c.entries[key] = e
	}
	c.mu.Unlock()

	e.once.Do(func() {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, err := io.Copy(zw, f)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if err != nil {
			e.err = err
			delete(c.entries, key) // let a later request try again
			return
		}
		e.data = buf.Bytes()
		c.evict(key)
	})
	return e.data, e.err
}

// evict keeps the cache within its bound after key was filled: it drops older versions
// of the same file, then, if still too big, every other file, then key itself if it
// alone is too big. A dev server sees a handful of files, so nothing smarter pays.
// c.mu is held.
func (c *gzipCache) evict(key gzipKey) {
	for k := range c.entries {
		if k.name == key.name && k != key {
			delete(c.entries, k)
		}
	}
	if c.size() <= c.max {
		return
	}
	for k := range c.entries {
		if k != key {
			delete(c.entries, k)
		}
	}
	if c.size() > c.max {
		delete(c.entries, key)
	}
}

// size returns the bytes of compressed data held. c.mu is held.
func (c *gzipCache) size() int {
	n := 0
	for _, e := range c.entries {
		n += len(e.data)
	}
	return n
}
