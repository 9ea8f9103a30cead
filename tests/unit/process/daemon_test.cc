// daemon.h: daemonize() in a forked child (it never returns in the caller's process),
// pid files, identity lookup.
#include "core/process/daemon.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

using namespace wsserver;

namespace {

std::string temp_path(const char *name) {
    return std::string("/tmp/wsserver_daemon_test_") + std::to_string(::getpid()) + "_" + name;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// What the detached process reports through the pipe.
struct DaemonReport {
    pid_t pid = 0;
    pid_t sid = 0;
    pid_t pgid = 0;
    char cwd[256] = {};
    int stdin_is_devnull = 0;
};

}  // namespace

TEST(Daemon, DetachesAndRedirects) {
    const std::string out_path = temp_path("out.log");
    ::unlink(out_path.c_str());
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::alarm(10);
        ::close(pipe_fds[0]);
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        auto r = daemonize(out);
        if (!r.ok()) ::_exit(3);
        DaemonReport rep;
        rep.pid = ::getpid();
        rep.sid = ::getsid(0);
        rep.pgid = ::getpgrp();
        if (::getcwd(rep.cwd, sizeof rep.cwd) == nullptr) rep.cwd[0] = 0;
        struct stat in_st {}, null_st {};
        rep.stdin_is_devnull = ::fstat(0, &in_st) == 0 && ::stat("/dev/null", &null_st) == 0 &&
                               in_st.st_rdev == null_st.st_rdev;
        const char msg[] = "to stdout\n";
        ssize_t w1 = ::write(1, msg, sizeof msg - 1);
        const char err[] = "to stderr\n";
        ssize_t w2 = ::write(2, err, sizeof err - 1);
        (void)w1;
        (void)w2;
        ssize_t w = ::write(pipe_fds[1], &rep, sizeof rep);
        ::_exit(w == sizeof rep ? 0 : 4);
    }
    ::close(pipe_fds[1]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);  // the caller's process leaves with 0 at once
    DaemonReport rep;
    size_t got = 0;
    for (int i = 0; i < 100 && got < sizeof rep; i++) {
        pollfd p{pipe_fds[0], POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        ssize_t n = ::read(pipe_fds[0], reinterpret_cast<char *>(&rep) + got, sizeof rep - got);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(pipe_fds[0]);
    ASSERT_EQ(got, sizeof rep);
    EXPECT_NE(rep.pid, child);
    EXPECT_NE(rep.sid, ::getsid(0));  // a session of its own
    EXPECT_NE(rep.sid, rep.pid);      // ... but not its leader (second fork)
    EXPECT_STREQ(rep.cwd, "/");
    EXPECT_EQ(rep.stdin_is_devnull, 1);
    // The daemon wrote before it reported, so both lines are in the file now.
    const std::string text = read_file(out_path);
    ::unlink(out_path.c_str());
    EXPECT_NE(text.find("to stdout\n"), std::string::npos) << text;
    EXPECT_NE(text.find("to stderr\n"), std::string::npos) << text;
}

TEST(Daemon, PidFile) {
    const std::string path = temp_path("server.pid");
    ASSERT_TRUE(write_pid_file(path, 12345).ok());
    EXPECT_EQ(read_file(path), "12345");
    ASSERT_TRUE(write_pid_file(path, 77).ok());  // replaced, not appended
    EXPECT_EQ(read_file(path), "77");
    remove_pid_file(path, 12345);  // not ours any more: kept
    EXPECT_EQ(::access(path.c_str(), F_OK), 0);
    remove_pid_file(path, 77);
    EXPECT_NE(::access(path.c_str(), F_OK), 0);
    remove_pid_file(path, 77);  // already gone: nothing happens
    auto bad = write_pid_file("/nonexistent-dir-wsserver/x.pid", 1);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("/nonexistent-dir-wsserver/x.pid"), std::string::npos);
}

TEST(Daemon, AbsolutePath) {
    char cwd[4096];
    ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
    EXPECT_EQ(absolute_path("/a/b"), "/a/b");
    EXPECT_EQ(absolute_path(""), "");
    std::string expect = std::string(cwd) + (std::string(cwd) == "/" ? "" : "/") + "x.pid";
    EXPECT_EQ(absolute_path("x.pid"), expect);
}

TEST(Daemon, LookupIdentity) {
    auto none = lookup_identity("", "");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none.value().has_user);
    EXPECT_FALSE(none.value().has_group);

    auto root = lookup_identity("root", "");
    ASSERT_TRUE(root.ok()) << root.error().message;
    EXPECT_TRUE(root.value().has_user);
    EXPECT_EQ(root.value().uid, 0u);
    EXPECT_EQ(root.value().gid, 0u);

    passwd *nobody = ::getpwnam("nobody");
    if (nobody != nullptr) {
        group *g = ::getgrgid(0);
        ASSERT_NE(g, nullptr);
        auto both = lookup_identity("nobody", g->gr_name);
        ASSERT_TRUE(both.ok());
        EXPECT_EQ(both.value().uid, nobody->pw_uid);
        EXPECT_EQ(both.value().gid, 0u);  // the group wins over the user's primary group
    }

    auto bad_user = lookup_identity("no-such-user-wsserver", "");
    ASSERT_FALSE(bad_user.ok());
    EXPECT_EQ(bad_user.error().message, "get user [no-such-user-wsserver] info failed");
    EXPECT_EQ(bad_user.error().code, ENOENT);
    auto bad_group = lookup_identity("", "no-such-group-wsserver");
    ASSERT_FALSE(bad_group.ok());
    EXPECT_EQ(bad_group.error().message, "get group [no-such-group-wsserver] info failed");
}

TEST(Daemon, SwitchIdentityInAChild) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    passwd *nobody = ::getpwnam("nobody");
    if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
    auto id = lookup_identity("nobody", "");
    ASSERT_TRUE(id.ok());
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto r = switch_identity(id.value());
        if (!r.ok()) ::_exit(2);
        if (::getuid() != nobody->pw_uid || ::geteuid() != nobody->pw_uid) ::_exit(3);
        if (::getgid() != nobody->pw_gid) ::_exit(4);
        gid_t groups[8];
        int n = ::getgroups(8, groups);
        if (n != 1 || groups[0] != nobody->pw_gid) ::_exit(5);
        if (::setuid(0) == 0) ::_exit(6);  // no way back
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}
