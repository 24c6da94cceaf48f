// Command mksingle turns a built site folder (make site) into one
// self-contained HTML file that opens from disk with no server — the form a
// lecturer keeps next to the slides (make single).
//
// The page's wasm_exec.js becomes an inline script; the app's and the
// worker's wasm modules go in gzipped and base64-encoded (the page unpacks
// them with DecompressionStream), and the worker's script and Go's glue as
// text from which the page makes the worker a blob URL.
//
//	go run ./cmd/mksingle -site site -out likelab.html
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	site := flag.String("site", "site", "built site folder (make site)")
	out := flag.String("out", "likelab.html", "the single HTML file to write")
	flag.Parse()
	if err := run(*site, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mksingle:", err)
		os.Exit(1)
	}
}

func run(site, out string) error {
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(site, name)) }
	page, err := read("index.html")
	if err != nil {
		return err
	}
	glue, err := read("wasm_exec.js")
	if err != nil {
		return err
	}
	workerJS, err := read("worker.js")
	if err != nil {
		return err
	}
	var blocks strings.Builder
	for _, m := range []struct{ id, file string }{{"inline-app", "likelab.wasm"}, {"inline-worker", "likelab-worker.wasm"}} {
		b, err := read(m.file)
		if err != nil {
			return err
		}
		enc, err := gzipBase64(b)
		if err != nil {
			return err
		}
		fmt.Fprintf(&blocks, "<script type=\"text/plain\" id=%q>\n%s\n</script>\n", m.id, enc)
	}
	for _, s := range [][]byte{glue, workerJS} {
		if bytes.Contains(bytes.ToLower(s), []byte("</script")) {
			return fmt.Errorf("a script to inline contains </script")
		}
	}
	fmt.Fprintf(&blocks, "<script type=\"text/plain\" id=\"inline-wasm-exec\">\n%s\n</script>\n", glue)
	fmt.Fprintf(&blocks, "<script type=\"text/plain\" id=\"inline-worker-js\">\n%s\n</script>\n", workerJS)
	const tag = `<script src="wasm_exec.js"></script>`
	if !bytes.Contains(page, []byte(tag)) {
		return fmt.Errorf("index.html has no %s to replace", tag)
	}
	inline := blocks.String() + "<script>\n" + string(glue) + "\n</script>"
	page = bytes.Replace(page, []byte(tag), []byte(inline), 1)
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, page, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// gzipBase64 compresses b at the best level and encodes it in base64 lines
// of 76 characters.
func gzipBase64(b []byte) (string, error) {
	var z bytes.Buffer
	w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := w.Write(b); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	s := base64.StdEncoding.EncodeToString(z.Bytes())
	var lines strings.Builder
	for len(s) > 76 {
		lines.WriteString(s[:76])
		lines.WriteByte('\n')
		s = s[76:]
	}
	lines.WriteString(s)
	return lines.String(), nil
}
