# Types WORDS and a Tab into an interactive zsh (a pseudo-terminal through zpty) whose completion system has
# uringctl's generated completion in FPATH_DIR, then prints the line as completed.
# usage: zsh -f zsh-complete.zsh FPATH_DIR WORDS
zmodload zsh/zpty
zpty shell 'zsh -f -i'
# The quotes keep the typed-in echo of each command from matching what we wait for.
zpty -w shell "PROMPT='zsh> '; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; print RE''ADY"
# Type only once the line editor shows its prompt: keys sent earlier reach a terminal not yet in its mode.
zpty -r shell out '*READY*zsh> '
zpty -w -n shell "$2"$'\t'
zpty -w -n shell $'\C-a'"print -r -- COMP''LETED:"$'\n'
zpty -r shell out '*COMPLETED:*'$'\r'
print -r -- "${${out##*COMPLETED:}%%$'\r'*}"
zpty -d shell
