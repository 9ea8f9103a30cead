// Small pieces shared by the reactor, the sockets and the output queue: an owning file
// descriptor and results that carry errno plus a readable message. Pure C++17 + POSIX.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace wsserver {

// Owns one file descriptor and closes it exactly once. Move-only; -1 means "none".
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    explicit operator bool() const { return valid(); }

    // Gives up ownership without closing.
    int release() { return std::exchange(fd_, -1); }
    // Closes the current descriptor (if any) and takes `fd`. close() errors are ignored:
    // on Linux the descriptor is gone either way, and retrying could close a reused number.
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

// A failed system call: errno and a message such as
// "bind(127.0.0.1:9501) failed: Address already in use".
struct SysError {
    int code = 0;
    std::string message;

    // Builds "<what> failed: <strerror(code)>".
    static SysError from_errno(int code, const std::string &what);
};

// A value or the SysError explaining why there is none (std::expected is C++23).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(SysError error) : error_(std::move(error)) {}

    bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }

    T &value() { return *value_; }
    const T &value() const { return *value_; }
    T &operator*() { return *value_; }
    T *operator->() { return &*value_; }
    const T *operator->() const { return &*value_; }

    const SysError &error() const { return error_; }

private:
    std::optional<T> value_;
    SysError error_;
};

}  // namespace wsserver
