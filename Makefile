# Officina. `make` lists the targets.
SHELL := /bin/bash
GO    ?= go
BIN   := bin
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: run
run: ## start the kiosk on its embedded defaults (headless until the UI lands)
	CGO_ENABLED=0 $(GO) run ./cmd/officina run --headless

.PHONY: test
test: ## run every test (no display needed)
	CGO_ENABLED=0 $(GO) test ./...

.PHONY: build
build: ## build officina and officina-hub into bin/
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/officina ./cmd/officina
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/officina-hub ./cmd/officina-hub

.PHONY: bench
bench: ## run the benchmarks (figures go in docs/BENCHMARKS.md)
	CGO_ENABLED=0 $(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
