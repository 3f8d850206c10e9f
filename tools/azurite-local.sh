#!/usr/bin/env bash
# For `make run LAKE=az://<container>/<prefix>`: makes sure a local Azurite (the Azure Storage emulator, installed by
# tools/provision-azurite.sh) listens on 127.0.0.1:${AZURITE_PORT:-10000} with its data in .lake/azurite, starting it
# in the background when needed, and prints its connection string (Azurite's public development account, not a
# secret). `make clean` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${AZURITE_PORT:-10000}
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
up() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
if ! up; then
    bash tools/provision-azurite.sh
    mkdir -p .lake/azurite
    nohup node tools/azurite/node_modules/azurite/dist/src/blob/main.js --blobHost 127.0.0.1 --blobPort "$port" \
        --location .lake/azurite --skipApiVersionCheck --loose --silent >.lake/azurite/azurite.log 2>&1 &
    echo $! >.lake/azurite/azurite.pid
    for _ in $(seq 1 100); do up && break; sleep 0.1; done
    up || { echo "azurite-local: Azurite did not start on 127.0.0.1:$port (see .lake/azurite/azurite.log)" >&2; exit 1; }
    echo "azurite-local: Azurite listening on 127.0.0.1:$port (data in .lake/azurite)" >&2
fi
echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
