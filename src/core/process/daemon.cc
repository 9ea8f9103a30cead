#include "core/process/daemon.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

namespace wsserver {

namespace {

Result<bool> redirect_standard_streams(int output_fd) {
    UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null_fd) return SysError::from_errno(errno, "open(/dev/null)");
    const int out = output_fd >= 0 ? output_fd : null_fd.get();
    if (::dup2(null_fd.get(), STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(out, STDERR_FILENO) < 0) {
        return SysError::from_errno(errno, "dup2()");
    }
    return true;
}

}  // namespace

Result<bool> daemonize(int output_fd) {
    pid_t pid = ::fork();
    if (pid < 0) return SysError::from_errno(errno, "fork()");
    if (pid > 0) ::_exit(0);
    if (::setsid() < 0) return SysError::from_errno(errno, "setsid()");
    pid = ::fork();
    if (pid < 0) return SysError::from_errno(errno, "fork()");
    if (pid > 0) ::_exit(0);
    if (::chdir("/") != 0) return SysError::from_errno(errno, "chdir('/')");
    return redirect_standard_streams(output_fd);
}

std::string absolute_path(const std::string &path) {
    if (path.empty() || path[0] == '/') return path;
    std::vector<char> cwd(PATH_MAX);
    if (::getcwd(cwd.data(), cwd.size()) == nullptr) return path;
    std::string dir(cwd.data());
    if (dir.empty() || dir.back() != '/') dir.push_back('/');
    return dir + path;
}

Result<bool> write_pid_file(const std::string &path, pid_t pid) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) return SysError::from_errno(errno, "open('" + path + "')");
    const std::string digits = std::to_string(pid);
    if (::write(fd.get(), digits.data(), digits.size()) != static_cast<ssize_t>(digits.size())) {
        return SysError::from_errno(errno ? errno : EIO, "write('" + path + "')");
    }
    return true;
}

void remove_pid_file(const std::string &path, pid_t pid) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return;
    char buf[32];
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) return;
    if (std::string(buf, static_cast<size_t>(n)) == std::to_string(pid)) ::unlink(path.c_str());
}

Result<ProcessIdentity> lookup_identity(const std::string &user, const std::string &group) {
    ProcessIdentity id;
    long size_hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(static_cast<size_t>(size_hint > 0 ? size_hint : 16384));
    if (!user.empty()) {
        passwd pw{};
        passwd *found = nullptr;
        int rc = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
        if (found == nullptr && rc != 0) return SysError::from_errno(rc, "get user [" + user + "] info");
        if (found == nullptr) return SysError{ENOENT, "get user [" + user + "] info failed"};
        id.has_user = true;
        id.uid = pw.pw_uid;
        id.gid = pw.pw_gid;
    }
    if (!group.empty()) {
        size_hint = ::sysconf(_SC_GETGR_R_SIZE_MAX);
        buf.assign(static_cast<size_t>(size_hint > 0 ? size_hint : 16384), 0);
        struct group gr {};
        struct group *found = nullptr;
        int rc = ::getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &found);
        if (found == nullptr && rc != 0) return SysError::from_errno(rc, "get group [" + group + "] info");
        if (found == nullptr) return SysError{ENOENT, "get group [" + group + "] info failed"};
        id.has_group = true;
        id.gid = gr.gr_gid;
    }
    return id;
}

Result<bool> switch_identity(const ProcessIdentity &id) {
    if (::geteuid() != 0 || (!id.has_user && !id.has_group)) return true;
    // With only a user, Swoole keeps the group; we take the user's primary group, as a
    // login would, so the process does not keep root's group by accident.
    const gid_t gid = id.gid;
    if (::setgroups(1, &gid) != 0) return SysError::from_errno(errno, "setgroups()");
    if (::setgid(gid) != 0) return SysError::from_errno(errno, "setgid(" + std::to_string(gid) + ")");
    if (id.has_user && ::setuid(id.uid) != 0) return SysError::from_errno(errno, "setuid(" + std::to_string(id.uid) + ")");
    return true;
}

}  // namespace wsserver
