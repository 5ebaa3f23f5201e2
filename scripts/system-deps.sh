#!/usr/bin/env bash
# Debian packages the tests need: PostgreSQL, Chromium (browser tests), a CJK font, and Pango +
# HarfBuzz for WeasyPrint (执法文书 PDFs; libharfbuzz-subset0 subsets the embedded CJK font fast),
# poppler-utils (pdftoppm: the browser test renders a downloaded 文书 page to PNG).
# Installs only what is missing; uses sudo when not root.
set -euo pipefail
packages=(postgresql chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
