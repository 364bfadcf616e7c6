# torg — build, serve and test. Needs only Go for build/serve; `make test`
# also needs Node.js, Java and Chromium (installed by .ci/run).
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := bin/torg

.PHONY: all build serve test test-go test-a11y bench bench-hugo lint torg clean

all: build

torg:
	$(GO) build -o $(BIN) ./cmd/torg

## build: build the example Karlsborg portal into public/
build: torg
	$(BIN) build --source .

## serve: build and serve the example site with live reload on http://127.0.0.1:1313/
serve: torg
	$(BIN) serve --source .

## test: every test — Go (race detector), then the browser and HTML gates on the built site
test: lint test-go test-a11y

lint:
	@test -z "$$(gofmt -l cmd internal themes tests 2>/dev/null)" || (gofmt -l cmd internal themes tests; echo "gofmt: files above need formatting"; exit 1)
	$(GO) vet ./...

test-go:
	$(GO) test -race -count=1 ./...

test-a11y: torg
	bash tests/search/run.sh
	bash tests/a11y/run.sh

## bench: generator benchmarks (1,000 and 10,000 generated pages)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./internal/build/

clean:
	rm -rf bin public public.relay
