# Types WORDS and a Tab into an interactive zsh (a pseudo-terminal through zpty) whose completion system has
# uringctl's generated completion in FPATH_DIR, then prints the line as completed. If zsh never shows what
# we wait for, exits 2 with everything it printed on stderr (instead of waiting forever).
# usage: zsh -f zsh-complete.zsh FPATH_DIR WORDS EXPECTED
# EXPECTED is what the line should read once completed: the next keys are typed only after zsh shows it.
zmodload zsh/zpty zsh/zselect
zpty shell 'zsh -f -i'

# Reads the shell's output until all of it matches PATTERN; gives up after about 20 s of silence.
typeset seen=''
await() {
  local chunk quiet=0
  while [[ $seen != $~1 ]]; do
    if zpty -r -t shell chunk; then seen+=$chunk; quiet=0
    elif (( ++quiet > 400 )); then print -r -- "zsh never printed ${(q)1}; it printed: ${(q)seen}" >&2; zpty -d shell; exit 2
    else zselect -t 5
    fi
  done
}

# The quotes keep the typed-in echo of each command from matching what we wait for.
# bindkey -e: zsh picks the vi keymap when EDITOR says vi (npm sets EDITOR=vi for `npm test`), where ^A is
# inserted as a character instead of moving to the start of the line.
zpty -w shell "bindkey -e; PROMPT='zsh> '; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; print RE''ADY"
# Type only once the line editor shows its prompt: keys sent earlier reach a terminal not yet in its mode.
await '*READY*zsh> *'
zpty -w -n shell "$2"$'\t'
await "*${(b)3}*"
zpty -w -n shell $'\C-a'"print -r -- COMP''LETED:"$'\n'
await '*COMPLETED:*'$'\r''*'
out=${seen##*COMPLETED:}
print -r -- "${out%%$'\r'*}"
zpty -d shell
