#!/usr/bin/env bash
# Formats every Swift file in place with the toolchain's swift-format and the
# repository's .swift-format. `scripts/test.sh` (and so CI) fails when a file
# is not formatted: run this before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format format -i -r Sources Tests
