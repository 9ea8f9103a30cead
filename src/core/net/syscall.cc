#include "core/net/syscall.h"

#include <cstring>
#include <type_traits>
#include <unistd.h>

namespace wsserver {

void UniqueFd::reset(int fd) {
    if (fd_ >= 0 && fd_ != fd) ::close(fd_);
    fd_ = fd;
}

SysError SysError::from_errno(int code, const std::string &what) {
    char buf[128];
    // GNU strerror_r returns the message (maybe not in buf); XSI returns an int. Accept both.
    auto pick = [&](auto r) -> const char * {
        if constexpr (std::is_same_v<decltype(r), char *>) {
            return r;
        } else {
            return r == 0 ? buf : "Unknown error";
        }
    };
    const char *text = pick(strerror_r(code, buf, sizeof buf));
    return SysError{code, what + " failed: " + text};
}

}  // namespace wsserver
