# The two commands a new machine needs: `make run` and `make test`. Both provision what they use
# (a Docker engine and the locally built pgvector image) through tools/provision-docker.sh (root); `make test`
# also builds the stage images (`make images`) and installs the Python test packages (tools/provision-python.sh).
SHELL := /bin/bash
CONFIG ?= Debug
DOTNET ?= dotnet
BIN = bin/$(CONFIG)/net10.0
# Tag of the stage images, jobs-<stage>:<tag> (named IMAGE_TAG: delta-show takes VERSION= for a Delta version).
IMAGE_TAG := $(shell cat VERSION)
# Base of the stage images. `local`: built offline from jobs-runtime-deps:trixie and this machine's .NET runtime
# (no registry here); with registry access: make images BASE_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0
BASE_IMAGE ?= local
# Where `make run` keeps its lake: a folder, or az://<container>/<prefix> (Azure Blob Storage; Azurite locally).
LAKE ?= .lake/sotu

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
# No registry is reachable: Testcontainers must not pull its reaper, and must reach containers on loopback.
export TESTCONTAINERS_RYUK_DISABLED ?= true
export TESTCONTAINERS_HOST_OVERRIDE ?= 127.0.0.1

.PHONY: help provision test-deps build images test run serve eval eval-themes clean delta-show delta-cat bench

help:
	@echo "make run    - whole pipeline on the bundled sample (PostgreSQL via Testcontainers), then search results"
	@echo "make run LAKE=az://sotu/lake - the same with the lake in Azure Blob Storage (a local Azurite unless configured)"
	@echo "make serve  - the search page and API over the local store (after make run) on http://127.0.0.1:8080"
	@echo "make test   - every test (unit, stage, end-to-end on real PostgreSQL + pgvector)"
	@echo "make build  - build the solution"
	@echo "make images - one container image per stage, jobs-<stage>:$(IMAGE_TAG) (incremental: ~1 s when current)"
	@echo "make eval   - retrieval quality (nDCG@10, recall) on BEIR SciFact through the real pipeline"
	@echo "make eval-themes [CSV=<file>] - theme quality (NMI, AMI, ARI, NPMI, diversity) vs TF-IDF + k-means on AG News"
	@echo "make clean  - remove build outputs, the local lake and the local PostgreSQL container"
	@echo "make delta-show TABLE=<path> [VERSION=<n>] - one JSON object describing a Delta table"
	@echo "make delta-cat TABLE=<path> [VERSION=<n>] [LIMIT=<n>] [WHERE=day=YYYY-MM-DD] - the table's rows as JSON lines"

provision:
	@bash tools/provision-docker.sh >/dev/null

test-deps:
	@bash tools/provision-python.sh
	@bash tools/provision-azurite.sh
	@bash tools/provision-browser.sh

build:
	$(DOTNET) build Jobs.sln -c $(CONFIG) -v quiet -nologo -clp:NoSummary

images: provision
	@BASE_IMAGE=$(BASE_IMAGE) bash tools/build-images.sh

test: provision build images test-deps
	@bash tools/run-tests.sh $(CONFIG)

# LAKE: a folder, or az://<container>/<prefix>: with no AZURE_STORAGE_CONNECTION_STRING set, a local Azurite is
# started on 127.0.0.1:10000 (tools/azurite-local.sh) and the container is created.
run: provision build
	@if [[ "$(LAKE)" == az://* && -z "$${AZURE_STORAGE_CONNECTION_STRING:-}" ]]; then \
	    AZURE_STORAGE_CONNECTION_STRING="$$(bash tools/azurite-local.sh)" || exit 1; export AZURE_STORAGE_CONNECTION_STRING; fi; \
	$(DOTNET) tools/Jobs.LocalRun/$(BIN)/jobs-local-run.dll --lake "$(LAKE)" $(ARGS)

# jobs-serve over the store `make run` loaded (PostgreSQL container jobs-local-pg), on http://127.0.0.1:8080.
serve: provision build
	$(DOTNET) tools/Jobs.LocalRun/$(BIN)/jobs-local-run.dll --serve

# Retrieval quality on a BEIR collection (default: SciFact from ../shared/testdata) through the real pipeline.
BEIR ?= ../shared/testdata/scifact
# The settings that meet the published figures: the title on the first line of the text, chunks of the model's 512 tokens.
EVAL_ARGS ?= --title-in-text --max-tokens 512
eval: provision build
	$(DOTNET) tools/Jobs.Eval/$(BIN)/jobs-eval.dll --beir "$(BEIR)" $(EVAL_ARGS)

# Theme quality on labelled text (default: AG News from ../shared/testdata): ingest → chunk → embed → theme, then
# NMI / AMI / ARI against the labels, NPMI coherence, keyword diversity and outlier share, next to a TF-IDF + k-means
# baseline computed in the same run. THEME_EVAL_ARGS: e.g. --reuse-embeddings, or -- --min-themes 4 for the stage.
CSV ?= ../shared/testdata/agnews/test.csv
eval-themes: provision build
	$(DOTNET) tools/Jobs.Eval/$(BIN)/jobs-eval.dll themes --csv "$(CSV)" $(THEME_EVAL_ARGS)

# Benchmarks print ratios against a baseline measured in the same run (BENCH_ARGS: rows, commits).
# SERVE_BENCH_ARGS: seconds per level, client counts (default "5 1,4,16").
# THEME_BENCH_ARGS: window sizes in chunks (default "100000,1000000"; the data is generated once under .lake/bench).
# EMBED_BENCH_ARGS: chunks rounds batch threads corpus.jsonl (default "256 3 64 <cores> ../shared/testdata/scifact/corpus.jsonl").
bench: provision
	$(DOTNET) build bench/Jobs.Lake.Bench -c Release -v quiet -nologo -clp:NoSummary
	$(DOTNET) bench/Jobs.Lake.Bench/bin/Release/net10.0/jobs-lake-bench.dll $(BENCH_ARGS)
	$(DOTNET) build bench/Jobs.Serve.Bench -c Release -v quiet -nologo -clp:NoSummary
	$(DOTNET) bench/Jobs.Serve.Bench/bin/Release/net10.0/jobs-serve-bench.dll $(SERVE_BENCH_ARGS)
	$(DOTNET) build bench/Jobs.Theme.Bench -c Release -v quiet -nologo -clp:NoSummary
	$(DOTNET) bench/Jobs.Theme.Bench/bin/Release/net10.0/jobs-theme-bench.dll $(THEME_BENCH_ARGS)
	$(DOTNET) build bench/Jobs.Store.Bench -c Release -v quiet -nologo -clp:NoSummary
	$(DOTNET) bench/Jobs.Store.Bench/bin/Release/net10.0/jobs-store-bench.dll $(STORE_BENCH_ARGS)
	$(DOTNET) build bench/Jobs.Embed.Bench -c Release -v quiet -nologo -clp:NoSummary
	$(DOTNET) bench/Jobs.Embed.Bench/bin/Release/net10.0/jobs-embed-bench.dll $(EMBED_BENCH_ARGS)
	$(DOTNET) build bench/Jobs.Ingest.Bench -c Release -v quiet -nologo -clp:NoSummary
	$(DOTNET) bench/Jobs.Ingest.Bench/bin/Release/net10.0/jobs-ingest-bench.dll $(INGEST_BENCH_ARGS)

delta-show:
	@test -n "$(TABLE)" || { echo "usage: make delta-show TABLE=<table folder> [VERSION=<n>]" >&2; exit 2; }
	@$(DOTNET) build tools/Jobs.DeltaTool -c $(CONFIG) -v quiet -nologo -clp:NoSummary >/dev/null
	@$(DOTNET) tools/Jobs.DeltaTool/$(BIN)/jobs-delta.dll show "$(TABLE)" $(if $(VERSION),--version $(VERSION))

# Rows as JSON lines (documents, quarantine, chunks, embeddings, dead_letters, …). WHERE=column=value; on a partition
# column (day) only that partition's files are read; WHERE=day= selects the undated (null) partition.
delta-cat:
	@test -n "$(TABLE)" || { echo "usage: make delta-cat TABLE=<table folder> [VERSION=<n>] [LIMIT=<n>] [WHERE=day=YYYY-MM-DD]" >&2; exit 2; }
	@$(DOTNET) build tools/Jobs.DeltaTool -c $(CONFIG) -v quiet -nologo -clp:NoSummary >/dev/null
	@$(DOTNET) tools/Jobs.DeltaTool/$(BIN)/jobs-delta.dll cat "$(TABLE)" $(if $(VERSION),--version $(VERSION)) $(if $(LIMIT),--limit $(LIMIT)) $(if $(WHERE),--where "$(WHERE)")

clean:
	-[ -f .lake/azurite/azurite.pid ] && kill "$$(cat .lake/azurite/azurite.pid)" 2>/dev/null; true
	rm -rf .lake .artifacts
	find jobs tests tools -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
	-docker rm -f jobs-local-pg >/dev/null 2>&1
