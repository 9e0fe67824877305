# modelwatch — build, test, lint and benchmark.
#
#   make demo    play 48 simulated hours of a model in production on this machine; open demo-output/index.html
#   make test    everything CI runs: lint, unit tests, integration tests (moto, Chromium)
#   make bench   the benchmarks of the drift engine

GO        ?= go
BIN       := bin
TOOLS_MOD := tools/go.mod
GOFLAGS_LAMBDA := -tags lambda.norpc,noparquet -trimpath -ldflags "-s -w"
DEMO_OUT  ?= demo-output
BENCH_PKGS := ./shared/stats/ ./shared/profile/ ./shared/dataset/ ./shared/drift/ ./shared/ingest/ ./shared/alarm/

.PHONY: all build test unit lint fmt vet staticcheck cfn-lint bench bench-compare demo compare-example clean
.PHONY: deploy localstack-up local-deploy local-e2e localstack-down build-IngestFunction build-DriftFunction build-AlarmHandlerFunction

STACK         ?= modelwatch
LAMBDA_GOARCH ?= arm64
LAMBDA_BUILD   = CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_GOARCH) $(GO) build $(GOFLAGS_LAMBDA)
COMPOSE       := docker compose -f localstack/docker-compose.yml
LOCALSTACK_ENDPOINT ?= http://localhost:4566
LOCAL_GOARCH  := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,amd64)
LOCAL_ARCH    := $(if $(filter arm64,$(LOCAL_GOARCH)),arm64,x86_64)

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

lint: fmt vet staticcheck cfn-lint tidy

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool -modfile=$(TOOLS_MOD) staticcheck ./...

cfn-lint:
	cfn-lint template.yaml

## tidy: fail when go.mod or go.sum is not what go mod tidy would write (prints the difference).
.PHONY: tidy
tidy:
	$(GO) mod tidy -diff

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(BENCH_PKGS)

## bench-compare: side-by-side benchmark against Evidently and NannyML (installs them from PyPI into bench/.venv; minutes).
BENCH_SIZES ?= 10k,100k,1M
BENCH_REPS  ?= 3
BENCH_FLAGS ?=
bench-compare:
	bench/run.sh --sizes $(BENCH_SIZES) --reps $(BENCH_REPS) $(BENCH_FLAGS)

## demo: the production story end to end, locally (no AWS, Docker or Python): writes $(DEMO_OUT)/.
demo:
	@echo "compiling modelwatch (the first time takes a few minutes), then playing the demo"
	$(GO) run ./cmd/modelwatch demo --out $(DEMO_OUT) $(DEMO_FLAGS)

## compare-example: profile the example training data, compare the example live data, write an HTML report.
compare-example: build
	@mkdir -p $(DEMO_OUT)-compare
	$(BIN)/modelwatch profile build --input testdata/example/reference.csv --out $(DEMO_OUT)-compare/reference.json \
		--model credit-default --version v1
	$(BIN)/modelwatch compare --reference $(DEMO_OUT)-compare/reference.json --current testdata/example/current.csv \
		--html $(DEMO_OUT)-compare/report.html || [ $$? -eq 2 ]
	@echo "open $(DEMO_OUT)-compare/report.html"

clean:
	rm -rf $(BIN) $(DEMO_OUT) $(DEMO_OUT)-compare

## SAM builds each function with these targets (BuildMethod: makefile).
build-IngestFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/ingest
build-DriftFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/drift
build-AlarmHandlerFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/alarmhandler

## deploy: build and deploy the stack to AWS with SAM (asks for the parameters the first time).
deploy:
	sam build
	sam deploy --guided --stack-name $(STACK) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND

## invoke-<Function> EVENT=events/x.json: run one function locally with SAM.
invoke-%:
	@test -n "$(EVENT)" || { echo "usage: make invoke-$* EVENT=events/<file>.json"; exit 2; }
	sam build $*
	sam local invoke $* --event $(EVENT)

## LocalStack (needs Docker): see localstack/README.md.
localstack-up:
	$(COMPOSE) up -d --wait
localstack-down:
	$(COMPOSE) down -v
local-deploy:
	LAMBDA_GOARCH=$(LOCAL_GOARCH) samlocal build
	samlocal deploy --stack-name $(STACK) --s3-bucket modelwatch-artifacts \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
		--no-confirm-changeset --no-fail-on-empty-changeset \
		--parameter-overrides Architecture=$(LOCAL_ARCH)
local-e2e:
	MODELWATCH_E2E_ENDPOINT=$(LOCALSTACK_ENDPOINT) $(GO) test -count=1 -run TestEndToEnd -v ./e2e/
