// The server's own log lines (worker exits, start failures...), in Swoole's format:
//
//   [2026-11-24 07:15:02 $1234.0]	WARNING	worker(pid=1240, id=1) abnormal exit, status=255, signal=0
//
// date and time in local time ("%F %T"), the role symbol of the writing process (# master,
// $ manager, * worker, ^ task worker), its pid and worker id, the level, the message, fields
// separated by tabs. Lines below the level (log_level) are dropped. They go to standard
// output, as Swoole's do, or to the log_file, opened for appending before the workers are
// forked so every process writes through the same descriptor; one write() per line, so
// lines of different processes never interleave.
#pragma once

#include <sys/types.h>

#include <cstdarg>
#include <ctime>
#include <string>
#include <string_view>

#include "core/net/syscall.h"

namespace wsserver {

// Swoole's SWOOLE_LOG_* values.
enum class LogLevel : int {
    kDebug = 0,
    kTrace = 1,
    kInfo = 2,
    kNotice = 3,
    kWarning = 4,
    kError = 5,
    kNone = 6,  // nothing is written
};

// Swoole's symbols for the process that writes a line.
enum class ProcessRole : char {
    kMaster = '#',
    kManager = '$',
    kWorker = '*',
    kTaskWorker = '^',
};

class Logger {
public:
    Logger() = default;  // standard output, level kInfo (Swoole's defaults)

    // Opens `path` (created 0644, appended to). The previous file, if any, is closed.
    Result<bool> open(const std::string &path);
    // The descriptor lines go to (standard output until open()).
    int fd() const { return file_ ? file_.get() : 1; }
    bool has_file() const { return file_.valid(); }

    void set_level(LogLevel level) { level_ = level; }
    LogLevel level() const { return level_; }
    bool enabled(LogLevel level) const { return level_ != LogLevel::kNone && level >= level_; }

    // Who this process is, for the lines it writes from now on.
    void set_role(ProcessRole role, int worker_id) {
        role_ = role;
        worker_id_ = worker_id;
    }

    void log(LogLevel level, std::string_view message) const;
    void logf(LogLevel level, const char *format, ...) const __attribute__((format(printf, 3, 4)));

    // One line, newline included ("DEBUG", "TRACE", "INFO", "NOTICE", "WARNING", "ERROR").
    static std::string format_line(std::time_t when, ProcessRole role, pid_t pid, int worker_id, LogLevel level,
                                   std::string_view message);
    static const char *level_name(LogLevel level);

private:
    UniqueFd file_;
    LogLevel level_ = LogLevel::kInfo;
    ProcessRole role_ = ProcessRole::kMaster;
    int worker_id_ = 0;
};

}  // namespace wsserver
