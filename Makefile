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
.PHONY: deploy sam-build tools tools-sam tools-ministack tools-checkov local-up local-down localstack-up local-deploy local-e2e localstack-down
.PHONY: build-IngestFunction build-DispatchFunction build-DriftFunction build-AlarmHandlerFunction build-CaptureImportFunction

STACK         ?= modelwatch
LAMBDA_GOARCH ?= arm64
LAMBDA_BUILD   = CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_GOARCH) $(GO) build $(GOFLAGS_LAMBDA)
COMPOSE       := docker compose -f localstack/docker-compose.yml
LOCAL_GOARCH  := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,amd64)
LOCAL_ARCH    := $(if $(filter arm64,$(LOCAL_GOARCH)),arm64,x86_64)

all: build

build:
	$(GO) build ./...
	$(GO) build -trimpath -o $(BIN)/modelwatch ./cmd/modelwatch

## test: lint, then every test (integration tests start moto, MiniStack and Chromium themselves;
## the deployed-stack test in e2e/ needs the SAM CLI and MiniStack that `make tools` installs).
test: tools lint
	$(GO) test -count=1 -timeout 10m ./...

## unit: the fast tests only (no moto, no browser).
unit:
	$(GO) test -short -count=1 ./...

lint: fmt vet staticcheck cfn-lint tidy sam-validate checkov

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

## bench-compare: side-by-side benchmark against Evidently, NannyML and a pandas + scipy script, on the standard and
## the hard data set (installs the Python packages from PyPI into bench/.venv; minutes).
BENCH_SIZES ?= 10k,100k,1M
BENCH_REPS  ?= 3
BENCH_SETS  ?= standard,hard
BENCH_FLAGS ?=
bench-compare:
	bench/run.sh --sizes $(BENCH_SIZES) --reps $(BENCH_REPS) --sets $(BENCH_SETS) $(BENCH_FLAGS)

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
build-DispatchFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/dispatch
build-DriftFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/drift
build-AlarmHandlerFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/alarmhandler
build-CaptureImportFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/captureimport

## Tools from PyPI, pinned in tools/requirements-*.txt, each in its own virtualenv under .tools/:
## the SAM CLI (build, deploy, validate), MiniStack (the local emulator) and checkov (make lint).
TOOLS_DIR ?= .tools
PYTHON    ?= python3
SAM       := $(TOOLS_DIR)/sam/bin/sam
MINISTACK := $(TOOLS_DIR)/ministack/bin/ministack
CHECKOV   := $(TOOLS_DIR)/checkov/bin/checkov
export SAM_CLI_TELEMETRY := 0

tools: tools-sam tools-ministack tools-checkov

tools-sam tools-ministack tools-checkov:
	@PYTHON=$(PYTHON) tools/venv.sh tools/requirements-$(@:tools-%=%).txt $(TOOLS_DIR)/$(@:tools-%=%)

## sam-validate: the SAM CLI's own lint.
## checkov: checkov on the template as CloudFormation deploys it, both transforms applied
## (tools/sam_transform.py); the checks that do not apply are skipped in .checkov.yaml.
.PHONY: sam-validate checkov
sam-validate: tools-sam
	$(SAM) validate --lint
checkov: tools-sam tools-checkov
	@mkdir -p .aws-sam/lint
	$(TOOLS_DIR)/sam/bin/python tools/sam_transform.py template.yaml -o .aws-sam/lint/template.json
	$(CHECKOV) --config-file .checkov.yaml -f .aws-sam/lint/template.json

## deploy: build the functions for Lambda (arm64) and deploy the stack to AWS with SAM; the first
## time it asks for the parameters (samconfig.toml holds the settings every deploy uses).
deploy: tools-sam
	$(SAM) build
	$(SAM) deploy --guided --stack-name $(STACK)

## sam-build: the build `make deploy` runs (arm64 bootstraps in .aws-sam/build).
sam-build: tools-sam
	$(SAM) build

## invoke-<Function> EVENT=events/x.json: run one function locally with SAM (needs Docker).
invoke-%: tools-sam
	@test -n "$(EVENT)" || { echo "usage: make invoke-$* EVENT=events/<file>.json"; exit 2; }
	$(SAM) build $*
	$(SAM) local invoke $* --event $(EVENT)

## The local emulator: MiniStack (no Docker) with `make local-up`, or LocalStack (Docker) with
## `make localstack-up`; then `make local-deploy local-e2e` deploys template.yaml onto it and drives it.
## MiniStack serves HTTPS with a certificate of its own (LOCAL_CA); for LocalStack set
## LOCAL_ENDPOINT=http://127.0.0.1:4566.
LOCAL_PORT     ?= 4566
LOCAL_ENDPOINT ?= https://127.0.0.1:$(LOCAL_PORT)
LOCAL_STATE    ?= $(TOOLS_DIR)/ministack-state
LOCAL_CA       ?= $(LOCAL_STATE)/tls/cert.pem
LOCAL_AWS       = AWS_ENDPOINT_URL=$(LOCAL_ENDPOINT) AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
                  AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_SESSION_TOKEN= \
                  $(if $(filter https://%,$(LOCAL_ENDPOINT)),AWS_CA_BUNDLE=$(abspath $(LOCAL_CA)))
LOCAL_ARTIFACTS ?= modelwatch-artifacts

local-up: tools-ministack
	tools/ministack.sh start $(MINISTACK) $(LOCAL_PORT) $(LOCAL_STATE)
local-down:
	tools/ministack.sh stop $(MINISTACK) $(LOCAL_PORT) $(LOCAL_STATE)

## local-deploy: the same SAM build (for this machine's architecture) and deploy as on AWS, with the
## emulator's endpoint. Parameter overrides: LOCAL_PARAMETERS="Key=Value ...".
LOCAL_PARAMETERS ?=
local-deploy: tools-sam
	LAMBDA_GOARCH=$(LOCAL_GOARCH) $(SAM) build --parameter-overrides Architecture=$(LOCAL_ARCH)
	$(LOCAL_AWS) $(TOOLS_DIR)/sam/bin/python tools/ensure_bucket.py $(LOCAL_ARTIFACTS)
	$(LOCAL_AWS) $(SAM) deploy --stack-name $(STACK) --s3-bucket $(LOCAL_ARTIFACTS) --no-resolve-s3 \
		--no-confirm-changeset --no-fail-on-empty-changeset --no-progressbar \
		--parameter-overrides Architecture=$(LOCAL_ARCH) $(LOCAL_PARAMETERS)

## local-e2e: drive the stack deployed by local-deploy from a prediction batch to a retraining request.
local-e2e:
	MODELWATCH_E2E_ENDPOINT=$(LOCAL_ENDPOINT) MODELWATCH_E2E_STACK=$(STACK) \
		$(if $(filter https://%,$(LOCAL_ENDPOINT)),MODELWATCH_E2E_CA=$(abspath $(LOCAL_CA))) \
		$(GO) test -count=1 -timeout 10m -run TestDeployedStack -v ./e2e/

localstack-up:
	$(COMPOSE) up -d --wait
localstack-down:
	$(COMPOSE) down -v
