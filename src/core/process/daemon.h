// Process mechanics of a server's start, as Swoole's settings ask for them: daemonize,
// pid_file, user/group. Plain POSIX; the binding decides when each runs.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/net/syscall.h"

namespace wsserver {

// Detaches the calling process from its terminal and session: fork (the caller's process
// _exit(0)s, so the shell that started it gets its prompt back), setsid, fork again (the
// survivor is no session leader, so it can never acquire a controlling terminal), chdir("/"),
// standard input from /dev/null, standard output and error to `output_fd` (the log file)
// or, when it is -1, to /dev/null. Returns only in the detached process, with true; an
// error is reported in the process where it happened (before the first fork: the caller).
// Call it before creating threads; descriptors and shared mappings are inherited.
Result<bool> daemonize(int output_fd);

// `path` made absolute against the current directory (daemonize() changes it to "/").
std::string absolute_path(const std::string &path);

// Writes the pid as decimal digits (no newline, as Swoole writes it), replacing the file.
Result<bool> write_pid_file(const std::string &path, pid_t pid);
// Removes the file if it still names `pid` (another server may have taken the path since).
void remove_pid_file(const std::string &path, pid_t pid);

// What user/group settings name; empty strings are "not set".
struct ProcessIdentity {
    bool has_user = false;
    bool has_group = false;
    uid_t uid = 0;
    gid_t gid = 0;  // the group's, or else the user's primary group
};

// Looks the names up (getpwnam_r/getgrnam_r). A name that does not exist: ENOENT with
// "get user [name] info failed" / "get group [name] info failed", Swoole's words.
Result<ProcessIdentity> lookup_identity(const std::string &user, const std::string &group);

// Becomes `id`: supplementary groups reduced to the one gid, setgid, then setuid (in that
// order: after setuid the process may no longer change its groups). Only root may do it;
// a process that is not root is left unchanged (Swoole ignores user/group then too).
Result<bool> switch_identity(const ProcessIdentity &id);

}  // namespace wsserver
