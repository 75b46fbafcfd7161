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
run: ## start the kiosk on its embedded defaults, in a window (headless when there is no $$DISPLAY)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(GO) run ./cmd/officina run --set ui.fullscreen=false; \
	else \
		CGO_ENABLED=0 $(GO) run ./cmd/officina run --headless; \
	fi

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

# The real window under a virtual X server (Xvfb) at the 7" panel's size.
XVFB_DISPLAY ?= :93
XVFB_SIZE    ?= 800x480

.PHONY: screenshots
screenshots: ## draw each main screen in Italian and English into docs/screenshots (needs xvfb, x11-apps)
	$(GO) build -o $(BIN)/officina ./cmd/officina
	Xvfb $(XVFB_DISPLAY) -screen 0 $(XVFB_SIZE)x24 -nolisten tcp & pid=$$!; sleep 1; \
	DISPLAY=$(XVFB_DISPLAY) $(BIN)/officina screenshots --out docs/screenshots --size $(XVFB_SIZE); rc=$$?; \
	kill $$pid; exit $$rc

.PHONY: ui-bench
ui-bench: ## time launch to home, screen changes and memory of the real window under Xvfb
	$(GO) build -o $(BIN)/officina ./cmd/officina
	Xvfb $(XVFB_DISPLAY) -screen 0 $(XVFB_SIZE)x24 -nolisten tcp & pid=$$!; sleep 1; \
	for i in 1 2 3 4 5; do DISPLAY=$(XVFB_DISPLAY) $(BIN)/officina ui-bench --size $(XVFB_SIZE) || break; done; rc=$$?; \
	kill $$pid; exit $$rc
