#!/bin/sh
# The catalog's test (a ctest case): po/fr.po is valid for msgfmt (--check: header, plural forms,
# format flags), has French for every message gate/ marks for translation (tr, trf, trn, trnf, trc, tr_in, tr_noop, gate_message),
# and translates no message the code no longer has. Lists the messages at fault; po/update.sh
# merges new messages into po/fr.po for a translator.
set -u
cd "$(dirname "$0")/.."
pot=$(mktemp)
merged=$(mktemp)
trap 'rm -f "$pot" "$merged"' EXIT
status=0
msgfmt --check --output-file=/dev/null po/fr.po || status=1
po/update.sh --pot "$pot" || exit 1
msgmerge --quiet --no-wrap --output-file="$merged" po/fr.po "$pot" || exit 1
# msgid lines of the entries msgattrib selects, the header left out.
list() { msgattrib --no-wrap "$@" "$merged" | grep -E '^(#~ )?msgid ' | grep -vE '^(#~ )?msgid ""$'; }
untranslated=$( { list --untranslated --no-obsolete; list --only-fuzzy --no-obsolete; } | sort -u)
if [ -n "$untranslated" ]; then
  echo "po/fr.po has no French for these messages of gate/ (po/update.sh merges them in):"
  echo "$untranslated"
  status=1
fi
obsolete=$(list --only-obsolete)
if [ -n "$obsolete" ]; then
  echo "po/fr.po translates messages gate/ no longer has (po/update.sh marks them obsolete):"
  echo "$obsolete"
  status=1
fi
[ "$status" -eq 0 ] && echo "po/fr.po translates all $(($(grep -c "^msgid " "$pot") - 1)) messages of gate/"
exit "$status"
