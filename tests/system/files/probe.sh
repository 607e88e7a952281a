# Sourced (". /usr/local/share/secstore-test/probe.sh") by the login shell under
# test, so that what it reads is the shell's own /proc/<pid>/status, not that
# of a child. Builtins only: it also runs inside a chroot jail that holds
# nothing but bash and its libraries. SECSTORE_PROBE_PID=PID reads another
# process instead (tests/vm: systemd's session process).
secstore_probe() {
  local key value rest line="PROBE"
  while read -r key value rest; do
    case $key in
      CapInh: | CapPrm: | CapEff: | CapBnd: | CapAmb: | Uid: | Gid:)
        line="$line ${key%:}=$value" ;;
      Groups:)
        value="$value${rest:+ $rest}"
        line="$line Groups=${value// /,}" ;;
    esac
  done </proc/${SECSTORE_PROBE_PID:-$$}/status
  local mark="none"
  [ -r /.secstore-root ] && read -r mark </.secstore-root
  echo "$line root=$mark session=${SECSTORE_SESSION:--} roles=${SECSTORE_ROLES:--} END"
}
secstore_probe
