#!/usr/bin/env bash
# Add Stepwise to this user's application menu (no root needed). Run it from the unpacked bundle:
#   ./install-desktop.sh            # installs dist/stepwise's desktop entry and icons under ~/.local/share
#   ./install-desktop.sh --remove   # takes them out again (the bundle folder itself is left alone)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
sizes="16 24 32 48 64 128 256 512"

if [ "${1:-}" = "--remove" ]; then
  rm -f "$data/applications/stepwise.desktop"
  for size in $sizes; do rm -f "$data/icons/hicolor/${size}x${size}/apps/stepwise.png"; done
  rm -f "$data/icons/hicolor/scalable/apps/stepwise.svg"
  echo "removed the Stepwise menu entry"
  exit 0
fi

[ -x "$here/stepwise" ] || { echo "error: run this from the Stepwise bundle folder (no ./stepwise here)" >&2; exit 1; }
mkdir -p "$data/applications" "$data/icons/hicolor/scalable/apps"
for size in $sizes; do
  mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
  cp "$here/icons/stepwise-$size.png" "$data/icons/hicolor/${size}x${size}/apps/stepwise.png"
done
cp "$here/icons/stepwise.svg" "$data/icons/hicolor/scalable/apps/stepwise.svg"
# The menu needs an absolute path: point Exec/TryExec at this bundle's program.
sed -e "s|^Exec=.*|Exec=\"$here/stepwise\"|" -e "s|^TryExec=.*|TryExec=$here/stepwise|" \
  "$here/stepwise.desktop" > "$data/applications/stepwise.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Stepwise is in your application menu ($data/applications/stepwise.desktop)"
