// libpam (Debian builds it with libaudit) opens an audit netlink socket and
// writes one record for every open/close/setcred call: on this class of box
// that is most of the cost of a pam_permit-only stack, and the same for every
// row. The bench binary defines audit_open() itself, so libpam's call binds
// here first; with audit "off" it fails with EPROTONOSUPPORT, which libpam
// treats exactly like a kernel built without audit (it then skips the record
// and carries on), so every row is measured without the audit write.
#pragma once

namespace secstore::bench {

// Decide before the first PAM call (and before fork()): the choice is a
// process-wide switch because the interposed symbol cannot carry state.
void set_audit_enabled(bool enabled);
bool audit_enabled();

}  // namespace secstore::bench
