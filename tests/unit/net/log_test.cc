// Logger: Swoole's line format, level filtering, output to a file shared across fork.
#include "core/net/log.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

using namespace wsserver;

namespace {

std::string temp_path(const char *name) {
    return std::string("/tmp/wsserver_log_test_") + std::to_string(::getpid()) + "_" + name;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

TEST(Logger, FormatsLikeSwoole) {
    std::time_t when = 1700000000;
    std::string line = Logger::format_line(when, ProcessRole::kManager, 1234, 0, LogLevel::kWarning, "hello world");
    std::tm tm{};
    ::localtime_r(&when, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    EXPECT_EQ(line, std::string("[") + date + " $1234.0]\tWARNING\thello world\n");
    EXPECT_EQ(Logger::format_line(when, ProcessRole::kTaskWorker, 7, 3, LogLevel::kError, "x").substr(21),
              "^7.3]\tERROR\tx\n");
    EXPECT_STREQ(Logger::level_name(LogLevel::kDebug), "DEBUG");
    EXPECT_STREQ(Logger::level_name(LogLevel::kTrace), "TRACE");
    EXPECT_STREQ(Logger::level_name(LogLevel::kInfo), "INFO");
    EXPECT_STREQ(Logger::level_name(LogLevel::kNotice), "NOTICE");
}

TEST(Logger, LevelFilters) {
    Logger log;
    EXPECT_EQ(log.level(), LogLevel::kInfo);
    EXPECT_TRUE(log.enabled(LogLevel::kInfo));
    EXPECT_FALSE(log.enabled(LogLevel::kDebug));
    log.set_level(LogLevel::kError);
    EXPECT_FALSE(log.enabled(LogLevel::kWarning));
    EXPECT_TRUE(log.enabled(LogLevel::kError));
    log.set_level(LogLevel::kNone);
    EXPECT_FALSE(log.enabled(LogLevel::kError));
    log.set_level(LogLevel::kDebug);
    EXPECT_TRUE(log.enabled(LogLevel::kDebug));
}

TEST(Logger, WritesToItsFileFromEveryProcess) {
    const std::string path = temp_path("shared.log");
    ::unlink(path.c_str());
    Logger log;
    EXPECT_EQ(log.fd(), 1);
    ASSERT_TRUE(log.open(path).ok());
    EXPECT_TRUE(log.has_file());
    log.set_level(LogLevel::kNotice);
    log.set_role(ProcessRole::kManager, 0);
    log.log(LogLevel::kInfo, "filtered out");
    log.logf(LogLevel::kWarning, "manager says %d", 42);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        log.set_role(ProcessRole::kWorker, 1);
        log.log(LogLevel::kError, "worker says hi");
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    const std::string text = read_file(path);
    ::unlink(path.c_str());
    EXPECT_EQ(text.find("filtered out"), std::string::npos);
    std::regex manager_line("\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\$" + std::to_string(::getpid()) +
                            "\\.0\\]\tWARNING\tmanager says 42\n");
    std::regex worker_line("\\*" + std::to_string(child) + "\\.1\\]\tERROR\tworker says hi\n");
    EXPECT_TRUE(std::regex_search(text, manager_line)) << text;
    EXPECT_TRUE(std::regex_search(text, worker_line)) << text;
    EXPECT_LT(text.find("manager says"), text.find("worker says"));
}

TEST(Logger, OpenFailureNamesThePath) {
    Logger log;
    auto r = log.open("/nonexistent-dir-wsserver/x.log");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("/nonexistent-dir-wsserver/x.log"), std::string::npos);
    EXPECT_EQ(r.error().code, ENOENT);
    EXPECT_FALSE(log.has_file());
}
