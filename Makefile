# likelab: build the browser site, serve it, build the CLI, run the tests.
#
#   make serve                 build site/ and serve it on http://127.0.0.1:8080
#   make serve ADDR=0.0.0.0:9000
#   make test                  everything CI runs (gofmt, vet, native + browser tests, core under wasm)
#
# Variables can be overridden on the command line: make site SITE=/tmp/site GO=go1.26.8

GO   ?= go
ADDR ?= 127.0.0.1:8080
SITE ?= site
SINGLE ?= likelab.html

GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: all site single serve cli test bench bench-chromium fuzz presets clean

all: site cli

# The browser site: the app, its training worker (a second Go instance, see wasm/worker),
# Go's JS glue from the same toolchain (it must match the
# compiler that built the wasm), the page, and a gzip -9 copy that serve.go sends
# instead of compressing on the fly. The .gz is written to a temporary name and
# renamed so a running server never sees half of it.
site:
	mkdir -p $(SITE)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(SITE)/likelab.wasm ./wasm
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(SITE)/likelab-worker.wasm ./wasm/worker
	cp $(GOROOT)/lib/wasm/wasm_exec.js $(SITE)/wasm_exec.js
	cp index.html $(SITE)/index.html
	cp wasm/worker.js wasm/sw.js $(SITE)/
	cp docs/slides.html $(SITE)/slides.html
	for f in likelab likelab-worker; do \
		gzip -9 -n -c $(SITE)/$$f.wasm > $(SITE)/$$f.wasm.gz.tmp && mv $(SITE)/$$f.wasm.gz.tmp $(SITE)/$$f.wasm.gz; done

# One self-contained HTML file (wasm inlined) that opens from disk with no server.
single: site
	$(GO) run ./cmd/mksingle -site $(SITE) -out $(SINGLE)

serve: site
	$(GO) run serve.go -addr $(ADDR) -dir $(SITE)

cli:
	$(GO) build -o bin/likelab ./cmd/likelab

# test stops at the first failing step. The native step is go test ./... in two
# parts: the browser tests (e2e) run last and alone, because they measure frame
# pacing and two cores shared with other test binaries would skew it. e2e builds
# its own site into a temporary folder (with make site), so it never tests a stale
# build. Under wasm the core runs with -short: statistical tests that take seconds
# natively take minutes under Node.
test:
	@echo '== gofmt'
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "gofmt -l: these files need gofmt -w:"; echo "$$files"; exit 1; fi
	@echo '== go vet (native)'
	$(GO) vet ./...
	@echo '== go vet (js/wasm)'
	GOOS=js GOARCH=wasm $(GO) vet ./wasm/...
	@echo '== go test (native)'
	$(GO) test -timeout 25m $$($(GO) list ./... | grep -v '/e2e$$')
	@echo '== go test (browser, e2e)'
	$(GO) test -timeout 25m ./e2e
	@echo '== go test (js/wasm under Node)'
	GOOS=js GOARCH=wasm $(GO) test -timeout 25m -short -exec="$(WASM_EXEC)" ./core/... ./render/...

# The speed figures of issue 7 (lab.Bench), one JSON object per environment:
# natively through the CLI, then js/wasm under Node (likelab-bench-wasm run
# by go_js_wasm_exec). Each figure is measured for BENCH_SECONDS after its
# warm-up; BENCH_ONLY=flow,vae picks figures (matmul, flow, vae, grid).
# The TF.js side: see README, "Speed".
BENCH_SECONDS ?= 8
BENCH_ONLY    ?=
BENCH_FLAGS   := --seconds $(BENCH_SECONDS) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

bench: cli
	@bin/likelab bench $(BENCH_FLAGS)
	@GOOS=js GOARCH=wasm $(GO) build -o bin/likelab-bench.wasm ./cmd/likelab-bench-wasm
	@$(WASM_EXEC) bin/likelab-bench.wasm $(BENCH_FLAGS)

# The same wasm build in headless Chromium: a bare page runs it in a worker
# (cmd/likelab-bench-wasm/bench.html), without the app's drawing beside it.
bench-chromium:
	@$(GO) run ./cmd/likelab-bench-wasm $(BENCH_FLAGS)

# The models that ship with the page for the talk's presets (lab.Presets),
# trained exactly as the page would train those links; deterministic.
presets:
	$(GO) run ./cmd/mkpresets -out core/lab/pretrained/models

# Every fuzz test for FUZZTIME each (default 60s); findings land in testdata/fuzz.
fuzz:
	FUZZTIME=$(or $(FUZZTIME),60s) GO=$(GO) tools/fuzz.sh

clean:
	rm -rf $(SITE) bin $(SINGLE)
