# modelwatch — build, test, lint and benchmark.
#
#   make demo    compare the example data with its reference and write an HTML report
#   make test    everything CI runs: lint, unit tests, integration tests (moto, Chromium)
#   make bench   the benchmarks of the drift engine

GO        ?= go
BIN       := bin
TOOLS_MOD := tools/go.mod
GOFLAGS_LAMBDA := -tags lambda.norpc -trimpath -ldflags "-s -w"
DEMO_OUT  ?= demo-output
BENCH_PKGS := ./shared/stats/ ./shared/profile/ ./shared/dataset/ ./shared/drift/

.PHONY: all build test unit lint fmt vet staticcheck bench demo clean

all: build

build:
	$(GO) build ./...
	$(GO) build -trimpath -o $(BIN)/modelwatch ./cmd/modelwatch

## test: lint, then every test (integration tests start moto and Chromium themselves).
test: lint
	$(GO) test -count=1 -timeout 10m ./...

## unit: the fast tests only (no moto, no browser).
unit:
	$(GO) test -short -count=1 ./...

lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool -modfile=$(TOOLS_MOD) staticcheck ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(BENCH_PKGS)

## demo: profile the example training data, compare the example live data, write the HTML report.
demo: build
	@mkdir -p $(DEMO_OUT)
	$(BIN)/modelwatch profile build --input testdata/example/reference.csv --out $(DEMO_OUT)/reference.json \
		--model credit-default --version v1
	$(BIN)/modelwatch compare --reference $(DEMO_OUT)/reference.json --current testdata/example/current.csv \
		--html $(DEMO_OUT)/report.html || [ $$? -eq 2 ]
	@echo "open $(DEMO_OUT)/report.html"

clean:
	rm -rf $(BIN) $(DEMO_OUT)
