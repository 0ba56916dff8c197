#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: seeds a demonstration archive on a throw-away server and
# photographs the main pages in Debian's Chromium (the same Playwright set-up as the tests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -x "${TESSERA_TEST_CHROMIUM:-/usr/bin/chromium}" ] || { echo "screenshots.sh: Chromium is needed (apt-get install chromium)" >&2; exit 2; }
dotnet build tests/Tessera.Server.Tests/Tessera.Server.Tests.csproj -c Release --nologo -v quiet -clp:ErrorsOnly
TESSERA_SCREENSHOTS_DIR="$root/docs/screenshots" TESSERA_TEST_DATABASE=sqlite \
  dotnet test tests/Tessera.Server.Tests/Tessera.Server.Tests.csproj -c Release --no-build --nologo \
  --filter "Category=Screenshots"
echo "screenshots.sh: written to docs/screenshots/"
