#!/usr/bin/env bash
# Installs the Debian packages that a make target needs, as root; otherwise prints the command.
#
#   scripts/ensure-system-packages.sh demo   the fonts issued PDFs embed: IPAex (text) and
#                                            IPAmj明朝 (names, addresses, 異体字). Never fails:
#                                            without them the demo still starts, and issuing a
#                                            document says which package is missing.
#   scripts/ensure-system-packages.sh test   the same fonts, Chromium for the browser tests and
#                                            poppler-utils (pdftotext, pdffonts) for the PDF
#                                            tests and HAProxy for the two-server test
#                                            (tests/deploy, deploy/haproxy.cfg). Fails when
#                                            they are missing and cannot be installed.
#   scripts/ensure-system-packages.sh bench  the fonts, HAProxy (bench/scale.py) and wrk, the
#                                            compiled load generator that drives the benches'
#                                            floors. Without wrk the Python clients drive them
#                                            and the benches say when they measured themselves.
set -euo pipefail

target="${1:-}"
# Each entry: a Debian package and a file it installs (present = installed).
fonts=(
  "fonts-ipaexfont /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
  "fonts-ipaexfont /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
  "fonts-ipamj-mincho /usr/share/fonts/truetype/ipamj/ipamjm.ttf"
)
case "$target" in
  demo) wanted=("${fonts[@]}") ;;
  test) wanted=("${fonts[@]}" "chromium /usr/bin/chromium" "poppler-utils /usr/bin/pdftotext"
              "haproxy /usr/sbin/haproxy") ;;
  bench) wanted=("${fonts[@]}" "haproxy /usr/sbin/haproxy" "wrk /usr/bin/wrk") ;;
  *) echo "usage: $0 demo|test|bench" >&2; exit 2 ;;
esac

missing=()
for entry in "${wanted[@]}"; do
  package="${entry%% *}"
  file="${entry#* }"
  if [ ! -e "$file" ] && [[ " ${missing[*]-} " != *" $package "* ]]; then
    missing+=("$package")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for 'make $target': ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt-get (up to 10 minutes) rather than fail on its lock.
  lock=(-o DPkg::Lock::Timeout=600)
  if apt-get "${lock[@]}" update -qq && apt-get "${lock[@]}" install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install: ${missing[*]}" >&2
fi

command="sudo apt-get install -y ${missing[*]}"
if [ "$target" = "bench" ]; then
  cat >&2 <<MSG
The benches run without these Debian packages (${missing[*]}): the Python clients drive the
floors instead of wrk, and bench/scale.py is skipped without HAProxy. To install them:
    $command
MSG
  exit 0
fi
if [ "$target" = "demo" ]; then
  cat >&2 <<MSG
The demo issues PDF notices with Japanese fonts that are not installed: ${missing[*]}.
The demo starts anyway; issuing a document will say what is missing until someone runs:
    $command
MSG
  exit 0
fi
cat >&2 <<MSG
The tests need Debian packages that are not installed and that this user cannot install.
Ask an administrator to run:   $command
MSG
exit 1
