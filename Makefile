# Officina. `make` lists the targets.
SHELL := /bin/bash
GO    ?= go
BIN   := bin
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.DEFAULT_GOAL := help

# What the fyne window needs to build (cgo, OpenGL, X11). Everything else
# builds with CGO_ENABLED=0 and needs only Go.
GUI_PKGS := gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: run
run: ## start the kiosk on its embedded defaults, in a window (headless when there is no display)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		scripts/need-packages $(GUI_PKGS) && \
		CGO_ENABLED=1 $(GO) run ./cmd/officina run --set ui.fullscreen=false; \
	else \
		echo "make run: no display (DISPLAY and WAYLAND_DISPLAY are empty), so the kiosk runs headless; its status is on http://127.0.0.1:7070/status"; \
		CGO_ENABLED=0 $(GO) run ./cmd/officina run --headless; \
	fi

.PHONY: run-headless
run-headless: ## start the kiosk services without a window (no display, no cgo)
	CGO_ENABLED=0 $(GO) run ./cmd/officina run --headless

.PHONY: gui-deps
gui-deps: ## install the system packages the window needs (apt-get, sudo when not root)
	@scripts/need-packages $(GUI_PKGS)

.PHONY: test
test: ## run every test (no display needed)
	CGO_ENABLED=0 $(GO) test ./...

.PHONY: build
build: gui-deps ## build officina (with its window) and officina-hub into bin/
	CGO_ENABLED=1 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/officina ./cmd/officina
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/officina-hub ./cmd/officina-hub

.PHONY: cross
cross: ## build for the Pi: linux/arm64 and linux/arm (GOARM=7) into bin/
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-arm64/officina-headless ./cmd/officina
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-arm64/officina-hub ./cmd/officina-hub
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-armv7/officina-headless ./cmd/officina
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-armv7/officina-hub ./cmd/officina-hub
	@if command -v aarch64-linux-gnu-gcc >/dev/null; then \
		echo "cross: building the arm64 window with aarch64-linux-gnu-gcc"; \
		CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig GOOS=linux GOARCH=arm64 \
			$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/linux-arm64/officina ./cmd/officina; \
	else \
		echo "cross: the window build for the Pi needs cgo: install gcc-aarch64-linux-gnu and the arm64 -dev packages (dpkg --add-architecture arm64), or run 'make build' on the Pi; built headless binaries only"; \
	fi

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

.PHONY: screenshots-kiosk
screenshots-kiosk: ## draw the main screens over a fresh kiosk's real areas into docs/screenshots/kiosk (needs xvfb, x11-apps)
	$(GO) build -o $(BIN)/officina ./cmd/officina
	Xvfb $(XVFB_DISPLAY) -screen 0 $(XVFB_SIZE)x24 -nolisten tcp & pid=$$!; sleep 1; \
	DISPLAY=$(XVFB_DISPLAY) $(BIN)/officina screenshots --kiosk --out docs/screenshots/kiosk --size $(XVFB_SIZE); rc=$$?; \
	kill $$pid; exit $$rc

.PHONY: ui-bench
ui-bench: ## time launch to home, screen changes and memory of the real window under Xvfb
	$(GO) build -o $(BIN)/officina ./cmd/officina
	Xvfb $(XVFB_DISPLAY) -screen 0 $(XVFB_SIZE)x24 -nolisten tcp & pid=$$!; sleep 1; \
	for i in 1 2 3 4 5; do DISPLAY=$(XVFB_DISPLAY) $(BIN)/officina ui-bench --size $(XVFB_SIZE) || break; done; rc=$$?; \
	kill $$pid; exit $$rc
