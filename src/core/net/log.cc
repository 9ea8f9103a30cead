#include "core/net/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace wsserver {

Result<bool> Logger::open(const std::string &path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return SysError::from_errno(errno, "open('" + path + "')");
    file_.reset(fd);
    return true;
}

const char *Logger::level_name(LogLevel level) {
    switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kTrace: return "TRACE";
    case LogLevel::kNotice: return "NOTICE";
    case LogLevel::kWarning: return "WARNING";
    case LogLevel::kError: return "ERROR";
    default: return "INFO";
    }
}

std::string Logger::format_line(std::time_t when, ProcessRole role, pid_t pid, int worker_id, LogLevel level,
                                std::string_view message) {
    std::tm tm{};
    ::localtime_r(&when, &tm);
    char date[32];
    size_t date_len = std::strftime(date, sizeof date, "%F %T", &tm);
    char prefix[96];
    int prefix_len = std::snprintf(prefix, sizeof prefix, "[%.*s %c%d.%d]\t%s\t", static_cast<int>(date_len), date,
                                   static_cast<char>(role), static_cast<int>(pid), worker_id, level_name(level));
    std::string line;
    line.reserve(static_cast<size_t>(prefix_len) + message.size() + 1);
    line.append(prefix, static_cast<size_t>(prefix_len));
    line.append(message);
    line.push_back('\n');
    return line;
}

void Logger::log(LogLevel level, std::string_view message) const {
    if (!enabled(level)) return;
    std::string line = format_line(std::time(nullptr), role_, ::getpid(), worker_id_, level, message);
    // One write per line (O_APPEND makes it land at the end whoever else writes); a short
    // write on a full pipe or disk loses the tail, which a logger cannot do better about.
    size_t off = 0;
    for (int attempt = 0; attempt < 8 && off < line.size(); attempt++) {
        ssize_t n = ::write(fd(), line.data() + off, line.size() - off);
        if (n > 0) {
            off += static_cast<size_t>(n);
        } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
            break;
        }
    }
}

void Logger::logf(LogLevel level, const char *format, ...) const {
    if (!enabled(level)) return;
    char buf[2048];
    va_list ap;
    va_start(ap, format);
    int n = std::vsnprintf(buf, sizeof buf, format, ap);
    va_end(ap);
    if (n < 0) return;
    log(level, std::string_view(buf, std::min(static_cast<size_t>(n), sizeof buf - 1)));
}

}  // namespace wsserver
