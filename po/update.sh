#!/bin/sh
# Extracts the messages gate/ marks (tr, trf, trn, trnf, trc, tr_in, tr_noop, gate_message) and
# merges them into po/fr.po (new ones untranslated, changed ones fuzzy) for a translator to
# complete; `po/update.sh --pot FILE` only writes the template. The catalog test (po/check.sh)
# lists every message that still lacks its French. The project has no public issue tracker:
# reports about the messages go to its maintainers, as po/fr.po's header says.
set -eu
cd "$(dirname "$0")/.."
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT
find gate -name '*.cpp' -o -name '*.hpp' | LC_ALL=C sort |
  xgettext --files-from=- --output="$pot" --force-po --language=C++ --from-code=UTF-8 \
    --keyword= --keyword=tr --keyword=trf --keyword=trn:1,2 --keyword=trnf:1,2 \
    --keyword=trc:1c,2 --keyword=tr_in:2 --keyword=tr_noop --keyword=gate_message \
    --add-comments=TRANSLATORS: --add-location=file --sort-output --no-wrap \
    --package-name=opsgate --msgid-bugs-address="opsgate maintainers"
if [ "${1:-}" = --pot ]; then
  cp "$pot" "$2"
  exit 0
fi
msgmerge --quiet --update --backup=none --no-wrap --sort-output po/fr.po "$pot"
