# paypage: `make run` starts a sandbox server on the embedded PostgreSQL;
# `make test` runs the whole test suite. `make help` lists every target.

GO      ?= go
BIN     := bin/paypage
PKGS    := ./...

.DEFAULT_GOAL := help

.PHONY: help
help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## install PostgreSQL server binaries if this machine has none (Debian/Ubuntu)
	@if command -v postgres >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "installing PostgreSQL server binaries (apt-get install postgresql)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	else echo "no PostgreSQL server binaries: install PostgreSQL or set DATABASE_URL"; fi

.PHONY: generate
generate: ## regenerate templ components
	$(GO) tool templ generate

.PHONY: check-generated
check-generated: generate ## fail if generated files are not committed
	@git diff --exit-code -- '*_templ.go' || (echo "generated templ files differ: run make generate and commit" && exit 1)

.PHONY: build
build: ## build bin/paypage
	$(GO) build -o $(BIN) ./cmd/paypage

.PHONY: run
run: deps build ## start the sandbox server on the embedded PostgreSQL
	./$(BIN) serve

.PHONY: test
test: deps ## run every test (real PostgreSQL, real HTTP, real Chromium when installed)
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

.PHONY: soak
soak: deps ## drive 5,000 payments through the fault-injecting proxy and check the money invariants (~6 min)
	PAYPAGE_PROPERTY_PAYMENTS=5000 $(GO) test -count=1 -timeout 60m -run TestMoneyInvariantsUnderFaults -v ./web/

.PHONY: pooler-load
pooler-load: deps ## 200 payments and 2,000 page loads in each PAYPAGE_DB_POOLER mode, one through Debian's PgBouncer (~1 min)
	PAYPAGE_POOLER_MEASURE=1 $(GO) test -count=1 -run TestPoolerCost -v ./internal/pgbouncertest/

.PHONY: lint
lint: ## gofmt, go vet and staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go') && exit 1)
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

.PHONY: migrate
migrate: build ## apply database migrations
	./$(BIN) migrate

.PHONY: migrate-new
migrate-new: ## create a new migration pair: make migrate-new NAME=add_things
	@test -n "$(NAME)" || (echo "usage: make migrate-new NAME=what_it_does" && exit 1)
	@n=$$(ls migrations/*.up.sql | wc -l); n=$$(printf '%06d' $$((n + 1))); \
	touch migrations/$${n}_$(NAME).up.sql migrations/$${n}_$(NAME).down.sql; \
	echo "created migrations/$${n}_$(NAME).{up,down}.sql"

.PHONY: bench
bench: deps build ## the shopper's view with Amazon 150 ms away, then throughput, CPU and memory against targets (~3 min, loopback only; BENCH_FLAGS=-quick for a smoke run)
	@command -v wrk >/dev/null 2>&1 || (SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get install -y -qq wrk >/dev/null)
	$(GO) run ./cmd/paypage-bench -bin $(BIN) $(BENCH_FLAGS)
