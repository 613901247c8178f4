import { commands, type CommandSpec, type ParseArgsOptionsConfig } from './usage.js';

// Every word the script holds comes from the command table; checked anyway, so nothing needing quotes can slip into it.
const word = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
function words(list: readonly string[]): string {
  for (const w of list) if (!word.test(w.replace(/^--?/, ''))) throw new Error(`completion: "${w}" is not a plain word`);
  return list.join(' ');
}

function optionWords(options: ParseArgsOptionsConfig): string[] {
  return [...Object.entries(options).flatMap(([name, option]) => [`--${name}`, ...(option.short ? [`-${option.short}`] : [])]), '--help', '-h'];
}

const takesValue = (options: ParseArgsOptionsConfig) => Object.entries(options).filter(([, o]) => o.type === 'string').flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);

function commandCase(name: string, spec: CommandSpec): string {
  const choices = Object.entries(spec.choices ?? {}).map(([option, values]) => `          --${option}) mapfile -t COMPREPLY < <(compgen -W '${words(values)}' -- "$cur"); return ;;\n`).join('');
  return `      ${name})
        verbs='${words(spec.verbs)}'
        options='${words(optionWords(spec.options))}'
        valued=' ${words(takesValue(spec.options))} '
        case $prev in
${choices}        esac
        ;;
`;
}

/**
 * `slipway completion bash`: a static script, the same on every host, made
 * from the command table. Option values, free operands and the words after
 * `--` (a remote command) get no words of ours: bash's file completion
 * (-o default) takes over there.
 */
export function bashCompletion(): string {
  const names = Object.keys(commands);
  return `# bash completion for slipway; load it with: source <(slipway completion bash)
_slipway() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    mapfile -t COMPREPLY < <(compgen -W '${words([...names, 'help', '--help', '-h', '--version', '-V'])}' -- "$cur")
    return 0
  fi
  local command=\${COMP_WORDS[1]} verbs='' options='' valued='' i
  for (( i = 2; i < COMP_CWORD; i++ )); do
    [[ \${COMP_WORDS[i]} == -- ]] && return 0
  done
  case $command in
      help)
        (( COMP_CWORD == 2 )) && mapfile -t COMPREPLY < <(compgen -W '${words(names)}' -- "$cur")
        return 0
        ;;
${Object.entries(commands).map(([name, spec]) => commandCase(name, spec)).join('')}      *) return 0 ;;
  esac
  if [[ $valued == *" $prev "* ]]; then
    return 0
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  elif (( COMP_CWORD == 2 )) && [[ -n $verbs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur")
  fi
  return 0
}
complete -o default -F _slipway slipway
`;
}
