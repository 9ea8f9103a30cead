// The server-wide connection id a PHP script sees as $fd.
#pragma once

#include <cstdint>

namespace wsserver {

// Positive, unique and increasing for the server's lifetime, never reused (Swoole's
// session ids); signed because PHP integers are. 0 means "no session".
using SessionId = int64_t;

}  // namespace wsserver
