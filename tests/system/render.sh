#!/bin/bash
# Turns the CELL/LOG lines of cells.sh (and of the VM's ssh/console/service
# runs) into the matrix: program x scenario -> what the shell got, ours beside
# pam_cap's, each of ours checked against expected.txt.
#
#   render.sh CELLS_FILE EXPECTED_FILE BASELINE_CAPBND ROOT_DIR_OR_GROUP_FILE
#
# Exit status 0 when every cell of ours is as expected, 1 otherwise. The last
# line is "N passed, N failed".
set -u

cells_file=$1
expected_file=$2
baseline_bnd=$3
group_file=$4
[ -d "$group_file" ] && group_file=$group_file/etc/group

declare -A expected_cell expected_user group_name got log_lines in_grid
# Scenarios in the order expected.txt first names them. A scenario with a
# line of its own is a column of the grid (every program); one named only in
# scenario/program lines is a single cell (the reproductions of fixes).
# A later line for the same key replaces an earlier one (a release's file
# after the common one).
scenarios=()
add_scenario() {
  case " ${scenarios[*]} " in *" $1 "*) ;; *) scenarios+=("$1") ;; esac
}
while read -r scenario user rest; do
  case $scenario in '' | '#'*) continue ;; esac
  case $scenario in
    */*)  # scenario/program: what that program's shell gets instead
      expected_cell[$scenario]=$rest
      add_scenario "${scenario%%/*}"
      continue ;;
  esac
  add_scenario "$scenario"
  in_grid[$scenario]=1
  expected_user[$scenario]=$user
  expected_cell[$scenario]=$rest
done <"$expected_file"

while IFS=: read -r name _ gid _; do group_name[$gid]=$name; done <"$group_file"

hex_trim() { printf '%x' "$((16#$1))"; }

# PROBE line -> "amb=.. bnd=.. root=.. grp=.. env=..", the form expected.txt uses.
cell_from_probe() {
  local field key value
  local -A f=()
  for field in $1; do
    key=${field%%=*} value=${field#*=}
    [ "$key" != "$field" ] && f[$key]=$value
  done
  local bnd amb groups="" gid
  amb=$(hex_trim "${f[CapAmb]}")
  if [ "${f[CapBnd]}" = "$baseline_bnd" ]; then bnd=all; else bnd=$(hex_trim "${f[CapBnd]}"); fi
  for gid in ${f[Groups]//,/ }; do
    [ "$gid" = "${f[Gid]}" ] && continue
    groups+="${group_name[$gid]:-$gid}"$'\n'
  done
  groups=$(sort <<<"$groups" | grep -v '^$' | paste -sd,)
  # CapInh and CapPrm are shown only where they differ from CapAmb (sshd,
  # sudo, cron: granted but not raised; root: permitted from its bounding
  # set), CapEff only where it differs from CapPrm, to keep cells short.
  local extra=""
  [ "${f[CapInh]}" != "${f[CapAmb]}" ] && extra+=" inh=$(hex_trim "${f[CapInh]}")"
  [ "${f[CapPrm]}" != "${f[CapAmb]}" ] && extra+=" prm=$(hex_trim "${f[CapPrm]}")"
  [ "${f[CapEff]}" != "${f[CapPrm]}" ] && extra+=" eff=$(hex_trim "${f[CapEff]}")"
  echo "amb=$amb$extra bnd=$bnd root=${f[root]} grp=${groups:--} env=${f[session]}/${f[roles]}"
}

# "amb=402 ..." -> "dac_override,net_bind_service", as setpriv/capsh print it.
ambient_names() {
  local amb=${1#amb=}
  amb=${amb%% *}
  if [ "$((16#$amb))" = 0 ]; then echo "[none]"; return; fi
  capsh --decode="$amb" | sed 's/^0x[0-9a-f]*=//; s/cap_//g'
}

# CELL impl scenario program rest...
while read -r tag impl scenario program rest; do
  case $tag in
    CELL)
      case $rest in
        PROBE*) got[$impl,$scenario,$program]=$(cell_from_probe "$rest") ;;
        PAMEND*) rest=${rest#PAMEND }; got[$impl,$scenario,$program]=${rest% END} ;;
        AMB*) got[$impl,$scenario,$program]="amb=${rest#AMB }" ;;
        REFUSED*) got[$impl,$scenario,$program]="refused" ;;
        NA*) got[$impl,$scenario,$program]="n/a" ;;
        *) got[$impl,$scenario,$program]="?$rest" ;;
      esac
      ;;
    LOG) log_lines[$impl,$scenario,$program]+="$rest"$'\n' ;;
  esac
done <"$cells_file"

programs=()
while read -r tag _ _ program _; do
  [ "$tag" = CELL ] || continue
  case " ${programs[*]} " in *" $program "*) ;; *) programs+=("$program") ;; esac
done <"$cells_file"

passed=0 failed=0
declare -A status ran_despite
strip_env() { sed 's/ env=[^ ]*//' <<<"$1"; }

printf '%-17s %-13s %-58s %-40s %s\n' scenario program "pam_secstore (ours)" "pam_cap (peer)" verdict
printf '%s\n' "$(printf '%.0s-' {1..150})"
for scenario in "${scenarios[@]}"; do
  for program in "${programs[@]}"; do
    ours=${got[ours,$scenario,$program]:-}
    [ -z "$ours" ] && continue
    peer=${got[pam_cap,$scenario,$program]:-}
    if [ -z "$peer" ]; then
      # pam_cap ran this scenario through other programs only (the guest
      # runs the login programs with ours alone; the chroot has both).
      peer="(no equivalent)"
      for other in "${programs[@]}"; do
        [ -n "${got[pam_cap,$scenario,$other]:-}" ] && peer="(not run here)"
      done
    fi
    want=${expected_cell[$scenario/$program]:-${expected_cell[$scenario]:-}}
    verdict=ok
    if [ "$ours" = n/a ]; then
      verdict=n/a  # the program is not in this release (sudo-rs) or not in the jail
    elif [ -z "$want" ]; then
      want="(no expectation)"
      verdict="FAIL (expected.txt says nothing for $scenario/$program)"
    fi
    case $program in
      setpriv | capsh)
        if [ "$verdict" != ok ]; then
          :
        elif [ "${want%% *}" = refused ]; then
          [ "$ours" = refused ] || verdict=FAIL
        else
          [ "$ours" = "amb=$(ambient_names "$want")" ] || verdict=FAIL
          want="amb=$(ambient_names "$want")"
        fi
        ;;
      *)
        if [ "$verdict" != ok ]; then
          :
        elif [ "${want%% *}" = refused ]; then
          regex=${want#refused /}
          regex=${regex%/}
          if [ "$ours" != refused ]; then
            verdict=FAIL
          elif ! grep -Eq "$regex" <<<"${log_lines[ours,$scenario,$program]:-}"; then
            verdict="FAIL (no syslog line matching /$regex/)"
          fi
          want=refused
        elif [ "${want%% *}" = despite ]; then
          # "despite /regex/ CELL": the module refused the session (its
          # syslog line matches), and the program ran the command anyway
          # (sudo: PAM_SESSION_ERR is not fatal to it), with CELL.
          ran_despite[$scenario,$program]=1
          regex=${want#despite /}
          want=${regex#*/ }
          regex=${regex%%/ *}
          if [ "$ours" != "$want" ]; then
            verdict=FAIL
          elif ! grep -Eq "$regex" <<<"${log_lines[ours,$scenario,$program]:-}"; then
            verdict="FAIL (no syslog line matching /$regex/)"
          fi
        elif [ "$verdict" = ok ]; then
          [ "$ours" = "$want" ] || verdict=FAIL
          # A session that works must not leave an error behind (authpriv
          # emerg..err, <80>..<83>), except where the scenario is an error.
          case $scenario in broken-*) ;; *)
            error_line=$(grep -E -m1 '^<8[0-3]>.*pam_secstore' <<<"${log_lines[ours,$scenario,$program]:-}")
            [ -n "$error_line" ] && [ "$verdict" = ok ] && verdict="FAIL (logged an error: ${error_line:0:110})"
          esac
        fi
        ;;
    esac
    if [ "$verdict" = ok ] && [ "${peer:0:1}" != "(" ]; then
      if [ "$(strip_env "$peer")" = "$(strip_env "$ours")" ]; then
        verdict="ok, same as pam_cap"
      else
        verdict="ok, beats pam_cap"
      fi
    fi
    case $verdict in
      FAIL*)
        failed=$((failed + 1))
        [ "$ours" != "$want" ] && ours="$ours  (want: $want)"
        ;;
      n/a) ;;
      *) passed=$((passed + 1)) ;;
    esac
    case $verdict in FAIL*) status[$scenario,$program]=fail ;; esac
    case $verdict in
      *) ;;
    esac
    printf '%-17s %-13s %-58s %-40s %s\n' "$scenario" "$program" "$ours" "$(strip_env "$peer")" "$verdict"
  done
done

# The same as a grid: one row per program, one column per scenario; each cell
# "ours | pam_cap" in short form (a=CapAmb, b=CapBnd when not all, jail=the
# guest's root, +g=the granted supplementary group, x=refused, -=no peer),
# with "!" after ours when it is not what expected.txt says, and "ran:" before
# it where the program ran the command although the module refused.
short() {
  case $1 in
    refused) echo x ;;
    n/a | "(no equivalent)" | "(not run here)" | "") echo - ;;
    amb=*" "*)
      local amb bnd root grp out
      amb=$(sed 's/.*amb=\([^ ]*\).*/\1/' <<<"$1"); bnd=$(sed 's/.*bnd=\([^ ]*\).*/\1/' <<<"$1")
      root=$(sed 's/.*root=\([^ ]*\).*/\1/' <<<"$1"); grp=$(sed 's/.*grp=\([^ ]*\).*/\1/' <<<"$1")
      out="a$amb"
      [[ $1 == *" inh="* ]] && out+=",i$(sed 's/.*inh=\([^ ]*\).*/\1/' <<<"$1")"
      [[ $1 == *" prm="* ]] && out+=",p$(sed 's/.*prm=\([^ ]*\).*/\1/' <<<"$1")"
      [ "$bnd" != all ] && out+=",b$bnd"
      [ "$root" = guest ] && out+=",jail"
      [[ $grp == *probes* ]] && out+=",+g"
      echo "$out" ;;
    amb=*) echo "${1#amb=}" | sed 's/net_bind_service/nbs/g; s/dac_override/dac/g; s/net_raw/nraw/g' ;;
    *) echo "?" ;;
  esac
}
grid=()
for scenario in "${scenarios[@]}"; do [ -n "${in_grid[$scenario]:-}" ] && grid+=("$scenario"); done
echo
printf '%-13s' program
for scenario in "${grid[@]}"; do printf ' %-19s' "$scenario"; done
echo
for program in "${programs[@]}"; do
  ran=""
  for scenario in "${grid[@]}"; do
    case ${got[ours,$scenario,$program]:-n/a} in n/a) ;; *) ran=1 ;; esac
  done
  [ -n "$ran" ] || continue
  printf '%-13s' "$program"
  for scenario in "${grid[@]}"; do
    mark=""
    [ "${status[$scenario,$program]:-}" = fail ] && mark="!"
    ran=""
    [ -n "${ran_despite[$scenario,$program]:-}" ] && ran="ran:"
    printf ' %-19s' "$ran$(short "${got[ours,$scenario,$program]:-}")$mark|$(short "${got[pam_cap,$scenario,$program]:-}")"
  done
  echo
done

echo
echo "Reproductions of fixes (ours | pam_cap):"
for scenario in "${scenarios[@]}"; do
  [ -n "${in_grid[$scenario]:-}" ] && continue
  for program in "${programs[@]}"; do
    ours=${got[ours,$scenario,$program]:-}
    [ -n "$ours" ] || continue
    mark=""
    [ "${status[$scenario,$program]:-}" = fail ] && mark=" (FAIL)"
    printf '  %-18s %-14s %s%s\n  %-33s | %s\n' "$scenario" "$program" "$ours" "$mark" "" \
      "$(strip_env "${got[pam_cap,$scenario,$program]:-(no equivalent)}")"
  done
done
echo
echo "Syslog lines of the refused cells (ours):"
for scenario in "${grid[@]}"; do
  [ "${expected_cell[$scenario]%% *}" = refused ] || continue
  line=$(printf '%s' "${log_lines[ours,$scenario,su-l]:-}" | grep -m1 pam_secstore)
  echo "  $scenario (su-l): ${line:-<none>}"
done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
