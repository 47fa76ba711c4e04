#!/usr/bin/env sh
# Installs the optional Hardhat node from the lockfiles: first Node.js 22 (the npm registry's
# `node` package) into runtime/, then Hardhat 3 with that Node on PATH, so that npm checks
# Hardhat's `node >= 22` requirement against it and installs its native EDR package.
set -eu
cd "$(dirname "$0")"
(cd runtime && npm ci --no-audit --no-fund)
PATH="$(pwd)/runtime/node_modules/node/bin:$PATH" npm ci --no-audit --no-fund
