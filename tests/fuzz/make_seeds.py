#!/usr/bin/env python3
"""Writes the hand-made seed corpus of the fuzz targets (tests/fuzz/corpus/).

The seeds are committed; this script says how they were made and lets them be
remade. Run from the source root: python3 tests/fuzz/make_seeds.py
Besides these, `make fuzz` also reads conf/ and tests/data/ as seeds.
"""
import os
import shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

SPEC_EXAMPLE = b'''set "A" permissions [REGISTER_HANDLER]
set "A" default path permissions [READ_TOPIC]
set "A" path "x" permissions [UPDATE_TOPIC]
set "A" path "x/y" permissions []
set "B" default path permissions [SELECT_TOPIC]
set "B" path "x/y/z" permissions [MODIFY_TOPIC]
set "C" includes ["A"]
set "C" permissions [VIEW_SESSION]
isolate path "iso"
set "B" path "iso/in" permissions [READ_TOPIC]
'''

EVERY_STATEMENT = b'''# every statement of SPEC 2.2, with comments and both quotes
set "admin" permissions [AUTHENTICATE, VIEW_SESSION, MODIFY_SESSION, REGISTER_HANDLER, VIEW_SERVER, CONTROL_SERVER, VIEW_SECURITY, MODIFY_SECURITY, READ_TOPIC_VIEWS, MODIFY_TOPIC_VIEWS]
set 'admin' default path permissions [READ_TOPIC UPDATE_TOPIC MODIFY_TOPIC SEND_TO_MESSAGE_HANDLER SEND_TO_SESSION SELECT_TOPIC QUERY_OBSOLETE_TIME_SERIES_EVENTS EDIT_TIME_SERIES_EVENTS EDIT_OWN_TIME_SERIES_EVENTS ACQUIRE_LOCK EXPOSE_BRANCH]
set "ops" path "svc/web" permissions [read_topic, Update_Topic]   # case-insensitive names
set "ops" topic "/svc//db/" permissions []
remove "ops" permissions for path "svc/web"
remove "ops" permissions for topic "never/set"
set "admin" includes ["ops", 'guest']
set roles for named sessions ["ops"]
set roles for anonymous sessions ['guest']
isolate path "secret"
deisolate path "secret"
isolate topic "private/area"
set role "admin" locked by principal "root"
set roles for user "alice" ["admin"]
set roles for group "netops" ["ops"]
set "it\\'s" permissions [VIEW_SERVER]
set 'say "hi"' path 'a\\\\b' permissions [EXPOSE_BRANCH]
SET "Upper" PERMISSIONS [view_server]
'''

def store_seeds():
    s = {}
    s["spec_example"] = SPEC_EXAMPLE
    s["spec_example_remove"] = SPEC_EXAMPLE + b'remove "A" permissions for path "x/y"\ndeisolate path "iso"\n'
    s["every_statement"] = EVERY_STATEMENT
    s["empty"] = b""
    s["only_comments"] = b"# nothing\n\n   # still nothing\n\n"
    s["crlf"] = SPEC_EXAMPLE.replace(b"\n", b"\r\n")
    s["no_final_newline"] = b'set "A" permissions [VIEW_SERVER]'
    s["huge_line_list"] = b'set "A" permissions [' + b", ".join([b"VIEW_SERVER"] * 3000) + b"]\n"
    s["huge_role_name"] = b'set "' + b"r" * 60000 + b'" permissions []\n'
    s["deep_path_10000"] = b'set "A" path "' + b"a/" * 10000 + b'" permissions [READ_TOPIC]\nset roles for named sessions ["A"]\n'
    s["deep_isolate"] = b'isolate path "' + b"d/" * 5000 + b'"\nset "A" default path permissions [READ_TOPIC]\n'
    s["slashes_only_path"] = b'set "A" path "///" permissions [READ_TOPIC]\n'
    s["many_paths"] = b"".join(b'set "R%d" path "p/%d/q" permissions [READ_TOPIC]\n' % (i % 7, i) for i in range(2000))
    s["long_include_chain"] = b"".join(b'set "R%d" includes ["R%d"]\n' % (i, i + 1) for i in range(3000)) + b'set roles for named sessions ["R0"]\n'
    s["include_cycle"] = b'set "A" includes ["B"]\nset "B" includes ["C"]\nset "C" includes ["A"]\n'
    s["include_self"] = b'set "A" includes ["A"]\n'
    s["include_fan"] = b'set "top" includes [' + b", ".join(b'"r%d"' % i for i in range(2000)) + b"]\n"
    s["nul_in_string"] = b'set "A\x00B" permissions [VIEW_SERVER]\n'
    s["nul_outside"] = b'set "A" permissions\x00 [VIEW_SERVER]\n\x00\x00'
    s["invalid_utf8"] = b'set "\xff\xfe\xc3\x28" path "\xe2\x82" permissions [READ_TOPIC]\n\x80\x81 set\n'
    s["unterminated_string_eof"] = b'set "A permissions [VIEW_SERVER]'
    s["unterminated_string_line"] = b'set "A permissions [VIEW_SERVER]\nset "B" permissions []\n'
    s["backslash_eof"] = b'set "A\\'
    s["unterminated_list"] = b'set "A" permissions [VIEW_SERVER,\nset "B" permissions []\n'
    s["mismatched_quotes"] = b'set "A\' permissions [VIEW_SERVER]\n'
    s["wrong_list"] = b'set "A" permissions [READ_TOPIC]\nset "A" default path permissions [VIEW_SERVER]\n'
    s["unknown_permission"] = b'set "A" permissions [FLY]\n'
    s["empty_path"] = b'set "A" path "" permissions [READ_TOPIC]\n'
    s["truncated_statement"] = b'set "A" permissions [VIEW_SERVER]\nset "B" path "x" perm'
    s["comment_in_string"] = b'set "a#b" permissions [] # real comment "with quote\n'
    s["commas_only"] = b'set "A" permissions [,,,]\nset "B" includes [ , "A" , ]\n'
    s["lock_and_roles"] = b'set role "A" locked by principal "alice"\nset roles for user "alice" ["A"]\nset roles for group "wheel" ["A", "B"]\nset "B" includes ["A"]\n'
    s["expose_branch"] = b'set "E" path "a" permissions [EXPOSE_BRANCH]\nset "E" path "a/b" permissions []\nset roles for named sessions ["E"]\n'
    s["last_set_wins"] = b'set "A" permissions [VIEW_SERVER]\nset "A" permissions []\nset "A" includes ["B"]\nset "A" includes []\n'
    s["control_chars"] = bytes(range(1, 32)) + b'\nset "\t" permissions []\n'
    return s

def conf_seeds():
    s = {}
    s["all_options"] = b'''# every option of a Security scope
Security "web" {
  user = deploy
  group = www-data
  role = ( A B )
  capabilities = "cap_net_bind_service+ep"
  chroot = "/srv/web"
  supplemental_groups = ( adm 4 )
}
security {
  Capabilities = "^cap_net_raw,!cap_sys_admin"
}
'''
    s["selectors"] = b'Security { user = 0 }\nSecurity { group = 0 capabilities = "cap_chown=i" }\nSecurity { role = A }\nSecurity { user = alice group = netops role = ( B C ) capabilities = "%cap_kill" }\n'
    s["root_exclusive"] = b'Security "root" { user = root capabilities = "cap_net_admin+ep" }\n'
    s["cap_forms"] = b'Security { capabilities = "all=eip" }\nSecurity { capabilities = "=" }\nSecurity { capabilities = "cap_net_admin,cap_net_raw=eip cap_chown-e" }\nSecurity { capabilities = "^cap_net_bind_service,!cap_sys_admin,%cap_kill,cap_fowner" }\n'
    s["cap_unknown"] = b'Security { capabilities = "cap_bogus+ep" }\n'
    s["cap_outside_bounding"] = b'Security { capabilities = "^cap_sys_resource" }\n'
    s["cap_numeric"] = b'Security { capabilities = "63+ep" }\nSecurity { capabilities = "40,41=i" }\n'
    s["two_chroots"] = b'Security "a" { chroot = "/srv/a" }\nSecurity "b" { chroot = "/srv/b" }\n'
    s["same_chroot_twice"] = b'Security "a" { chroot = "/srv/a" }\nSecurity "b" { chroot = "/srv/a" }\n'
    s["comments"] = b'/* block\n comment */ Security { # line\n /* inline */ user = /* x */ root }\n'
    s["comment_not_nesting"] = b'/* outer /* inner */ Security { } */\n'
    s["unterminated_comment"] = b'Security { }\n/* never closed\nSecurity { }\n'
    s["unterminated_string"] = b'Security { chroot = "/srv }\n'
    s["unterminated_scope"] = b'Security { user = root\n'
    s["unterminated_list"] = b'Security { supplemental_groups = ( a b \n}\n'
    s["unknown_option"] = b'Security { colour = blue }\n'
    s["unknown_scope"] = b'Frobnicate { }\n'
    s["nested_scope"] = b'Security { Security { } }\n'
    s["deep_braces"] = b"Security " + b"{ " * 5000 + b"}" * 5000 + b"\n"
    s["deep_parens"] = b"Security { supplemental_groups = " + b"( " * 5000 + b")" * 5000 + b" }\n"
    s["huge_group_list"] = b"Security { supplemental_groups = ( " + b" ".join(b"g%d" % i for i in range(1500)) + b" ) }\n"
    s["huge_line"] = b'Security { chroot = "/' + b"x" * 60000 + b'" }\n'
    s["nul_bytes"] = b'Security { user = ro\x00ot }\n\x00Security { }\n'
    s["invalid_utf8"] = b'Security "\xff\xfe" { user = \xc3\x28 group = "\xe2\x82" }\n'
    s["big_numbers"] = b'Security { user = 99999999999999999999999 }\nSecurity { group = -1 }\nSecurity { user = 4294967295 }\n'
    s["empty"] = b""
    s["empty_values"] = b'Security { user = "" chroot = "" capabilities = "" supplemental_groups = ( ) }\n'
    s["quoted_specials"] = b'Security "a b{}()#=" { chroot = "/with space/and#hash" }\n'
    s["equals_without_value"] = b'Security { user = }\n'
    s["crlf"] = b'Security {\r\n user = root\r\n}\r\n'
    for name in ["self.conf", "loop_a.conf", "deep/0.conf", "dir", "dir/", "unsafe.conf", "fifo",
                 "link.conf", "dangling.conf", "nowhere.conf", "one.conf", "empty.conf", "bad.conf",
                 "fuzz.conf", ".", "..", "/", "deep"]:
        key = "include_" + name.replace("/", "_slash").replace(".", "dot")
        s[key] = b'include "%s"\nSecurity { user = root }\n' % name.encode()
    s["include_twice"] = b'include "one.conf"\ninclude "one.conf"\ninclude "dir"\n'
    s["include_unquoted"] = b'include one.conf\n'
    s["include_in_scope"] = b'Security { include "one.conf" }\n'
    return s

def apply_seeds():
    s = {}
    s["script_on_empty"] = b'set "A" permissions [VIEW_SERVER]\nset roles for named sessions ["A"]\n'
    s["spec_then_remove"] = SPEC_EXAMPLE + b'\n%%\nremove "A" permissions for path "x/y"\ndeisolate path "iso"\n'
    s["script_makes_cycle"] = b'set "A" includes ["B"]\n%%\nset "B" includes ["A"]\n'
    s["script_bad_line"] = EVERY_STATEMENT + b'\n%%\nset "A" permissions [READ_TOPIC]\n'
    s["script_unterminated"] = SPEC_EXAMPLE + b'\n%%\nset "A'
    s["script_replaces"] = b'set "A" path "x" permissions [READ_TOPIC]\n%%\nset "A" path "x" permissions []\nset "A" includes []\n'
    s["script_deep"] = SPEC_EXAMPLE + b'\n%%\nset "A" path "' + b"z/" * 10000 + b'" permissions [EXPOSE_BRANCH]\n'
    s["script_lock"] = b'set role "A" locked by principal "alice"\n%%\nset role "A" locked by principal "bob"\n'
    s["empty_both"] = b"\n%%\n"
    return s

def write(target, seeds):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

def copy_shipped():
    src = os.path.join(os.path.dirname(ROOT), "..", "..", "conf")
    for target, fname in (("store", "Security.store"), ("conf", "secstore.conf")):
        p = os.path.join(src, fname)
        if os.path.exists(p):
            shutil.copy(p, os.path.join(ROOT, target, "shipped_" + fname))

INDEX_CONF = b'''Security "ops" {
  group = ops
  capabilities = "cap_net_bind_service+ep"
  supplemental_groups = ( adm )
}
Security "root" {
  user = root
  capabilities = "^cap_net_bind_service,cap_net_raw"
}
'''

def index_seeds(secstore):
    """Compiled indexes of some store seeds: needs root (an index is compiled
    only from root-owned files) and the built command, e.g.
    python3 tests/fuzz/make_seeds.py --index build/secstore"""
    import subprocess, tempfile
    stores = dict(store_seeds())
    # Small ones: the fuzzer mutates up to 64 KiB (Makefile, FUZZ_RUN_FLAGS).
    wanted = ["spec_example", "every_statement", "expose_branch", "lock_and_roles", "deep_isolate", "empty"]
    extra = {"rich": os.path.join(os.path.dirname(ROOT), "..", "data", "stores", "rich.store"),
             "worked_example": os.path.join(os.path.dirname(ROOT), "..", "data", "stores", "worked-example.store")}
    seeds = {}
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        texts = {n: stores[n] for n in wanted if n in stores}
        for name, path in extra.items():
            texts[name] = open(path, "rb").read()
        for name, text in texts.items():
            store, conf = os.path.join(d, name + ".store"), os.path.join(d, name + ".conf")
            with open(store, "wb") as f:
                f.write(text)
            with open(conf, "wb") as f:
                f.write(INDEX_CONF)
            r = subprocess.run([secstore, "compile", "--store", store, "--conf", conf], capture_output=True)
            if r.returncode == 0:
                seeds[name] = open(store + ".idx", "rb").read()
            else:
                print("index seed %s not compiled: %s" % (name, r.stderr.decode().strip()))
    return seeds

if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--index":
        write("index", index_seeds(os.path.abspath(sys.argv[2])))
        sys.exit(0)
    write("store", store_seeds())
    write("conf", conf_seeds())
    write("apply", apply_seeds())
    copy_shipped()
