#!/usr/bin/env zsh
# capture.zsh FPATH_DIR LINE: prints the matches zsh's completion offers when TAB is pressed at
# the end of LINE, one a line ("match" or "match -- description"). An interactive zsh runs in a
# pseudo-terminal (zsh/zpty) with compinit and FPATH_DIR first in $fpath; its compadd reports
# every match it adds. Exit 2 when the terminal session cannot start or ends early.
emulate -L zsh
zmodload zsh/zpty || exit 2
local fpath_dir=$1 command_line=$2 line setup
setup=$(mktemp "${TMPDIR:-/tmp}/capture.XXXXXX") || exit 2
trap 'rm -f $setup' EXIT
cat >$setup <<SETUP
PROMPT= RPROMPT=
fpath=(${(q)fpath_dir} \$fpath)
autoload -U compinit && compinit -u -D
bindkey '^I' complete-word
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
capture_mark() { print -rn -- \$'\\n<<'MARK\$'>>\\n' }
compprefuncs=(capture_mark)
comppostfuncs=(capture_mark exit)
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "\$@"; return; fi
  local -a hits descriptions
  local i d
  if (( \$@[(I)-d] )); then
    d=\${@[\$(( \${@[(i)-d]} + 1 ))]}
    if [[ \$d == \\(* ]]; then eval "descriptions=\$d"; else descriptions=("\${(@P)d}"); fi
  fi
  builtin compadd -A hits -D descriptions "\$@"
  builtin compadd "\$@"
  for (( i = 1; i <= \$#hits; i++ )); do
    print -r -- "<<"HIT">>\${hits[i]}\${descriptions[i]:+ -- \${descriptions[i]}}"
  done
}
print -r -- "<<"READY">>"
SETUP
zpty capture zsh -f -i
zpty -w capture "source ${(q)setup}"
local ready=0
while zpty -r capture line; do
  [[ $line == '<<READY>>'* ]] && { ready=1; break; }
done
(( ready )) || exit 2
zpty -w capture "$command_line"$'\t'
local marks=0
while zpty -r capture line; do
  line=${line%$'\n'}
  line=${line%$'\r'}
  if [[ $line == *'<<MARK>>'* ]]; then
    (( marks++ )) && { zpty -d capture; exit 0; }
  elif [[ $line == '<<HIT>>'* ]]; then
    print -r -- "${line#<<HIT>>}"
  fi
done
zpty -d capture
exit 2
