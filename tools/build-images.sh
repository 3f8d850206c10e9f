#!/usr/bin/env bash
# Builds one container image per pipeline stage, jobs-<stage>:<VERSION> (`make images`).
#
#   BASE_IMAGE   base of the stage images (default mcr.microsoft.com/dotnet/runtime:10.0, the official image).
#                `local` (what `make images` passes: no registry here) builds jobs-dotnet-runtime:<version> offline
#                first, from jobs-runtime-deps:trixie (tools/provision-docker.sh) plus the .NET runtime the SDK on
#                this machine runs on, and uses that.
#   SERVE_BASE_IMAGE  base of jobs-serve, which needs ASP.NET Core (default mcr.microsoft.com/dotnet/aspnet:10.0;
#                with `local`, the local base carries ASP.NET Core's shared framework too).
#   STAGES       images to build (default: the seven stages and serve).
#
# Each stage is published framework-dependent for linux-x64 (the runtime is a shared base layer, not six
# copies), without the 90 MB model DLL; the model goes in as plain files only where it is used. Incremental:
# every image carries a label with a hash of its inputs (sources, Dockerfile, this script, base image id, SDK),
# and when every image is current the script ends in about a second without publishing or building anything.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=$(tr -d '[:space:]' <VERSION)
BASE_IMAGE=${BASE_IMAGE:-mcr.microsoft.com/dotnet/runtime:10.0}
SERVE_BASE_IMAGE=${SERVE_BASE_IMAGE:-mcr.microsoft.com/dotnet/aspnet:10.0}
STAGES=${STAGES:-ingest chunk embed validate load search theme serve}
LOCAL_RUNTIME_PREFIX=jobs-dotnet-runtime
RUNTIME_DEPS_IMAGE=${RUNTIME_DEPS_IMAGE:-jobs-runtime-deps:trixie}
WORK=.artifacts/images
HASH_LABEL=org.jobs.inputs
export DOCKER_BUILDKIT=0 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf 'images: %s\n' "$*" >&2; }
# Runs a command with its output in $WORK/build.log; shows the end of it only when the command fails.
quiet() {
    mkdir -p "$WORK"
    printf '\n+ %s\n' "$*" >>"$WORK/build.log"
    "$@" >>"$WORK/build.log" 2>&1 || { local rc=$?; tail -n 40 "$WORK/build.log" >&2; die "failed (exit $rc): $*"; }
}
die() { log "ERROR: $*"; exit 1; }
label_of() { docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true; }
project_of() { # stage -> project folder
    case $1 in
        ingest) echo jobs/Jobs.Ingest ;; chunk) echo jobs/Jobs.Chunk ;; embed) echo jobs/Jobs.Embed ;;
        validate) echo jobs/Jobs.Validate ;; load) echo jobs/Jobs.Load ;; search) echo jobs/Jobs.Search ;;
        theme) echo jobs/Jobs.Theme ;; serve) echo jobs/Jobs.Serve ;;
        *) die "unknown stage '$1'" ;;
    esac
}
model_of() { # stage -> which model files its image carries
    case $1 in chunk) echo vocab ;; embed | search | serve) echo full ;; *) echo none ;; esac
}

# Offline base: the official runtime image's layout, from the runtime the SDK on this machine runs on.
ensure_local_runtime() {
    local version root ctx hash
    docker image inspect "$RUNTIME_DEPS_IMAGE" >/dev/null 2>&1 ||
        die "$RUNTIME_DEPS_IMAGE is missing: run tools/provision-docker.sh (as root) first"
    root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    version=${BASE_IMAGE#"$LOCAL_RUNTIME_PREFIX":}
    [[ -d $root/shared/Microsoft.NETCore.App/$version ]] ||
        die "$BASE_IMAGE needs .NET runtime $version, not installed in $root (have: $(ls "$root/shared/Microsoft.NETCore.App" | tr '\n' ' '))"
    hash=$({ cat docker/dotnet-runtime/Dockerfile; docker image inspect -f '{{.Id}}' "$RUNTIME_DEPS_IMAGE";
             echo "$version"; echo "with Microsoft.AspNetCore.App"; } | sha256sum | cut -c1-16)
    if [[ $(label_of "$BASE_IMAGE") == "$hash" ]]; then return; fi
    log "building offline base $BASE_IMAGE from $RUNTIME_DEPS_IMAGE + $root (runtime $version)"
    ctx=$WORK/dotnet-runtime
    rm -rf "$ctx" && mkdir -p "$ctx/dotnet/shared/Microsoft.NETCore.App"
    cp -a "$root/dotnet" "$root/host" "$root/LICENSE.txt" "$root/ThirdPartyNotices.txt" "$ctx/dotnet/"
    cp -a "$root/shared/Microsoft.NETCore.App/$version" "$ctx/dotnet/shared/Microsoft.NETCore.App/"
    # ASP.NET Core's shared framework too (jobs-serve), as the official aspnet image has it.
    [[ -d $root/shared/Microsoft.AspNetCore.App/$version ]] ||
        die "ASP.NET Core runtime $version is not installed in $root (jobs-serve needs it)"
    mkdir -p "$ctx/dotnet/shared/Microsoft.AspNetCore.App"
    cp -a "$root/shared/Microsoft.AspNetCore.App/$version" "$ctx/dotnet/shared/Microsoft.AspNetCore.App/"
    quiet docker build --build-arg "BASE_IMAGE=$RUNTIME_DEPS_IMAGE" --build-arg "DOTNET_VERSION=$version" \
        --label "$HASH_LABEL=$hash" -t "$BASE_IMAGE" -f docker/dotnet-runtime/Dockerfile "$ctx"
    rm -rf "$ctx"
}

inputs_hash() { # everything an image is made of, as one short hash
    {
        find jobs tools/Jobs.ModelExport docker/jobs \( -name bin -o -name obj \) -prune -o -type f -print | LC_ALL=C sort |
            xargs sha256sum
        sha256sum Directory.Build.props Directory.Packages.props global.json VERSION tools/build-images.sh
        dotnet --version
        docker image inspect -f '{{.Id}}' "$BASE_IMAGE"
    } | sha256sum | cut -c1-16
}

main() {
    local t0=$SECONDS hash stage stale=() project ctx model
    if ! docker info >/dev/null 2>&1; then die "no Docker engine: run tools/provision-docker.sh"; fi
    rm -f "$WORK/build.log"
    if [[ $BASE_IMAGE == local ]]; then
        BASE_IMAGE=$LOCAL_RUNTIME_PREFIX:$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" && $2 ~ /^10\./ { v = $2 } END { print v }')
    fi
    if [[ $BASE_IMAGE == "$LOCAL_RUNTIME_PREFIX":* ]]; then
        ensure_local_runtime
        SERVE_BASE_IMAGE=$BASE_IMAGE
    else
        for image in "$BASE_IMAGE" "$SERVE_BASE_IMAGE"; do
            docker image inspect "$image" >/dev/null 2>&1 && continue
            log "pulling $image"
            docker pull -q "$image" >/dev/null || die "cannot pull $image (offline? use: make images, which builds a local base)"
        done
    fi
    hash=$(inputs_hash)
    for stage in $STAGES; do
        [[ $(label_of "jobs-$stage:$VERSION") == "$hash" ]] || stale+=("$stage")
    done
    if ((${#stale[@]} == 0)); then
        log "jobs-{${STAGES// /,}}:$VERSION up to date (inputs $hash), nothing to do"
        return
    fi

    log "publishing ${stale[*]} (Release, linux-x64, framework-dependent)"
    rm -rf "$WORK/model"
    quiet dotnet build tools/Jobs.ModelExport -c Release -v quiet -nologo
    quiet dotnet tools/Jobs.ModelExport/bin/Release/net10.0/jobs-model-export.dll "$WORK/model/full"
    quiet dotnet tools/Jobs.ModelExport/bin/Release/net10.0/jobs-model-export.dll "$WORK/model/vocab" --vocab-only
    for stage in "${stale[@]}"; do
        project=$(project_of "$stage")
        ctx=$WORK/$stage
        rm -rf "$ctx" && mkdir -p "$ctx/model"
        quiet dotnet publish "$project" -c Release -r linux-x64 --self-contained false -p:JobsPublishBundledModel=false \
            -o "$ctx/app" -v quiet -nologo
        [[ -x $ctx/app/jobs-$stage ]] || die "publish of $project did not produce $ctx/app/jobs-$stage"
        [[ ! -e $ctx/app/models ]] || die "$ctx/app/models exists: the bundled model DLL must stay out of images"
        ln -s "jobs-$stage" "$ctx/app/entrypoint"
        model=$(model_of "$stage")
        if [[ $model != none ]]; then cp -l "$WORK/model/$model"/* "$ctx/model/"; fi
    done

    for stage in "${stale[@]}"; do
        local base=$BASE_IMAGE
        [[ $stage != serve ]] || base=$SERVE_BASE_IMAGE
        log "docker build jobs-$stage:$VERSION (base $base)"
        quiet docker build --build-arg "BASE_IMAGE=$base" --build-arg "STAGE=$stage" --build-arg "VERSION=$VERSION" \
            --label "$HASH_LABEL=$hash" -t "jobs-$stage:$VERSION" -f docker/jobs/Dockerfile "$WORK/$stage"
        rm -rf "${WORK:?}/$stage"
    done
    rm -rf "$WORK/model"
    # Superseded builds of these images lose their tag; drop them (only dangling ones carrying our label).
    docker image prune -f --filter "label=$HASH_LABEL" >/dev/null
    log "built ${stale[*]} as jobs-<stage>:$VERSION in $((SECONDS - t0))s:"
    for stage in $STAGES; do
        docker image inspect -f "jobs-$stage:$VERSION {{.Size}}" "jobs-$stage:$VERSION" |
            awk '{ printf "    %-22s %4.0f MB\n", $1, $2 / 1e6 }' >&2
    done
}

main "$@"
