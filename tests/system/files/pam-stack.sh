# Sourced by the in-root drivers (cells.sh for system-check and vm-check,
# tests/fleet/files/fleet-cases.sh for fleet-check): writes pam_secstore's
# test stack into THIS root's /etc/pam.d for each login program.
#
#   ours_args          arguments given to every pam_secstore line
#   ours_services      the PAM services written (default: su su-l runuser runuser-l login)
#   ours_session_after a session line written after pam_secstore's (e.g. a
#                      later module that fails the open: pam_deny.so)
#   write_ours_stack SESSION_CONTROL REQUIRE_ARGS
#     REQUIRE_ARGS non-empty also puts pam_secstore in the account stack
#     (resolve and gate, SPEC 4.1) and on the session line.
# A caller that is not root authenticates with its password (pam_unix), as
# on a real system: su from a user's own session to root.
write_ours_stack() {  # session_control extra_session_args
  local control=$1 require=$2 service
  for service in ${ours_services:-su su-l runuser runuser-l login}; do
    {
      echo "# written by tests/system pam-stack.sh: pam_secstore under test"
      echo "auth     optional   pam_secstore.so $ours_args"
      echo "auth     sufficient pam_rootok.so"
      echo "auth     required   pam_unix.so"
      echo "account  required   pam_permit.so"
      [ -n "$require" ] && echo "account  required   pam_secstore.so $ours_args $require"
      echo "session  required   pam_unix.so"
      echo "session  $control   pam_secstore.so $ours_args $require"
      [ -n "${ours_session_after:-}" ] && echo "session  required   $ours_session_after"
      echo "password required   pam_deny.so"
    } >"/etc/pam.d/$service"
  done
}
