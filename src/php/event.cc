// Swoole\Event and the swoole_event_*() functions on the coroutine runtime's reactor (the
// runtime's own outside a server, the worker's inside one): PHP callbacks on fds
// (add/set/del/isset/write), around each loop round (cycle), one round (dispatch), and
// defer/wait/exit. Every callback runs in a new coroutine, as in Swoole.
//
// An fd is given as a stream resource, a Socket (ext/sockets) or an int. Its callbacks
// get back what add() was given, which the registration keeps alive until del().
//
// The loop of Event::wait() (coroutine_context.cc) runs while timers, deferred callbacks
// or coroutine fd waits are left; while any fd is registered here a timer that never
// does anything (a tick of an hour, not one of the PHP timers Timer::list() shows) keeps
// it running.
#include "php/coroutine_extras.h"

#include "zend_exceptions.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>

namespace ws = wsserver;

namespace {

constexpr zend_long kEventRead = 512;    // SWOOLE_EVENT_READ
constexpr zend_long kEventWrite = 1024;  // SWOOLE_EVENT_WRITE
constexpr uint64_t kKeepAliveMs = 3600 * 1000;

struct EventEntry {
    zval socket;  // what add() got: a stream stays open while registered
    std::shared_ptr<PhpCallable> on_read;
    std::shared_ptr<PhpCallable> on_write;
    zend_long events = 0;      // SWOOLE_EVENT_* the user asked for
    std::string out;           // what Event::write() could not write yet
    EventEntry() { ZVAL_UNDEF(&socket); }
    ~EventEntry() { zval_ptr_dtor(&socket); }
    EventEntry(const EventEntry &) = delete;
    EventEntry &operator=(const EventEntry &) = delete;
};

// The registrations on one reactor.
struct EventRegistry {
    ws::Reactor *reactor = nullptr;
    std::map<int, std::unique_ptr<EventEntry>> fds;
    ws::TimerId keep_alive = 0;
    std::shared_ptr<PhpCallable> cycle_before;
    std::shared_ptr<PhpCallable> cycle_after;
};

std::unique_ptr<EventRegistry> g_events;

// The registry of the runtime's current reactor. One made for another reactor (the
// runtime moved into a server worker, or was rebuilt) is dropped without touching that
// reactor, which may be gone.
EventRegistry &registry() {
    ws::Reactor &r = wsserver_coroutine_reactor();
    if (!g_events || g_events->reactor != &r) {
        g_events = std::make_unique<EventRegistry>();
        g_events->reactor = &r;
    }
    return *g_events;
}

EventEntry *find_entry(int fd) {
    if (!g_events || !wsserver_coroutine_runtime_exists() || g_events->reactor != &wsserver_coroutine_reactor()) {
        return nullptr;
    }
    auto it = g_events->fds.find(fd);
    return it == g_events->fds.end() ? nullptr : it->second.get();
}

uint32_t reactor_interest(const EventEntry &e) {
    uint32_t interest = 0;
    if (e.events & kEventRead) interest |= ws::Reactor::kRead;
    if ((e.events & kEventWrite) || !e.out.empty()) interest |= ws::Reactor::kWrite;
    return interest;
}

void update_keep_alive(EventRegistry &reg) {
    if (!reg.fds.empty() && reg.keep_alive == 0) {
        reg.keep_alive = reg.reactor->tick(kKeepAliveMs, [](ws::TimerId) {});
        if (!wsserver_event_loop_running()) wsserver_event_loop_at_shutdown();
    } else if (reg.fds.empty() && reg.keep_alive != 0) {
        reg.reactor->clear_timer(reg.keep_alive);
        reg.keep_alive = 0;
    }
}

void remove_fd(int fd) {
    if (!g_events) return;
    auto it = g_events->fds.find(fd);
    if (it == g_events->fds.end()) return;
    g_events->reactor->remove(fd);
    std::unique_ptr<EventEntry> gone = std::move(it->second);
    g_events->fds.erase(it);
    update_keep_alive(*g_events);
    // `gone` releases the socket and callbacks here; a callback running in a coroutine
    // holds its own references.
}

// The callback with the registered socket as its argument, in a new coroutine.
void run_callback(const std::shared_ptr<PhpCallable> &cb, zval *socket) {
    wsserver_coroutine_start(std::make_shared<PhpCallable>(cb->function(), socket, 1));
}

// Writes what Event::write() queued; false on a write error (the data is dropped).
bool flush_output(int fd, EventEntry &e) {
    while (!e.out.empty()) {
        ssize_t n = ::write(fd, e.out.data(), e.out.size());
        if (n > 0) {
            e.out.erase(0, size_t(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return true;
        } else {
            e.out.clear();
            return false;
        }
    }
    return true;
}

void on_fd_event(int fd, uint32_t ready) {
    EventEntry *e = find_entry(fd);
    if (!e) return;
    bool handled = false;
    if ((ready & ws::Reactor::kRead) && (e->events & kEventRead) && e->on_read) {
        handled = true;
        zval socket;
        ZVAL_COPY(&socket, &e->socket);
        run_callback(e->on_read, &socket);
        zval_ptr_dtor(&socket);
        e = find_entry(fd);  // the callback may have removed it
        if (!e) return;
    }
    if (ready & ws::Reactor::kWrite) {
        if (!e->out.empty()) {
            handled = true;
            flush_output(fd, *e);
            if (e->out.empty()) g_events->reactor->modify(fd, reactor_interest(*e));
        } else if ((e->events & kEventWrite) && e->on_write) {
            handled = true;
            zval socket;
            ZVAL_COPY(&socket, &e->socket);
            run_callback(e->on_write, &socket);
            zval_ptr_dtor(&socket);
        }
    }
    // An error or hang-up on an fd nobody listens to any more: it would be reported again
    // at every round.
    if (!handled && (ready & ws::Reactor::kError)) remove_fd(fd);
}

// The fd behind `z`, or -1 after a warning.
int fd_of(zval *z) {
    switch (Z_TYPE_P(z)) {
    case IS_RESOURCE: {
        php_stream *stream = static_cast<php_stream *>(
            zend_fetch_resource2_ex(z, nullptr, php_file_le_stream(), php_file_le_pstream()));
        int fd = -1;
        if (stream && php_stream_cast(stream, PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL,
                                      reinterpret_cast<void **>(&fd), 1) == SUCCESS &&
            fd >= 0) {
            return fd;
        }
        php_error_docref(nullptr, E_WARNING, "fd argument must be either valid PHP stream or valid PHP socket resource");
        return -1;
    }
    case IS_LONG:
        if (Z_LVAL_P(z) < 0 || Z_LVAL_P(z) > INT_MAX) {
            php_error_docref(nullptr, E_WARNING, "invalid file descriptor#%d passed", int(Z_LVAL_P(z)));
            return -1;
        }
        return int(Z_LVAL_P(z));
    case IS_OBJECT:
        if (zend_string_equals_literal(Z_OBJCE_P(z)->name, "Socket")) {
            // ext/sockets' Socket: its stream (created once, kept by the socket) has the fd.
            zval fn, stream;
            ZVAL_STRING(&fn, "socket_export_stream");
            ZVAL_UNDEF(&stream);
            int fd = -1;
            if (call_user_function(nullptr, nullptr, &fn, &stream, 1, z) == SUCCESS && !EG(exception) &&
                Z_TYPE(stream) == IS_RESOURCE) {
                php_stream *s = static_cast<php_stream *>(
                    zend_fetch_resource2_ex(&stream, nullptr, php_file_le_stream(), php_file_le_pstream()));
                if (!s || php_stream_cast(s, PHP_STREAM_AS_FD_FOR_SELECT | PHP_STREAM_CAST_INTERNAL,
                                          reinterpret_cast<void **>(&fd), 0) != SUCCESS) {
                    fd = -1;
                }
            }
            zval_ptr_dtor(&stream);
            zval_ptr_dtor(&fn);
            if (fd < 0 && !EG(exception)) php_error_docref(nullptr, E_WARNING, "contains a closed socket");
            return fd;
        }
        return -1;
    default:
        php_error_docref(nullptr, E_WARNING, "invalid file descriptor passed");
        return -1;
    }
}

// A callable argument, with Swoole's warnings for one that is not; null/absent gives
// null. For add() and set() (`name` given) a bad one also throws Swoole\Exception, and
// the caller goes on as if none was given, as Swoole does. False if it was bad.
bool callable_arg(zval *z, const char *name, std::shared_ptr<PhpCallable> &out) {
    out.reset();
    if (!z || Z_TYPE_P(z) == IS_NULL) return true;
    zend_string *fn_name = nullptr;
    bool ok = false;
    if (!zend_is_true(z)) {
        php_error_docref(nullptr, E_WARNING, "illegal callback function");
    } else if (!zend_is_callable_ex(z, nullptr, 0, &fn_name, nullptr, nullptr)) {
        php_error_docref(nullptr, E_WARNING, "function '%s' is not callable", fn_name ? ZSTR_VAL(fn_name) : "");
    } else {
        ok = true;
    }
    if (fn_name) zend_string_release(fn_name);
    if (ok) {
        out = std::make_shared<PhpCallable>(z, nullptr, 0);
    } else if (name) {
        zend_throw_exception_ex(wsserver_ce_exception, 505 /* SW_ERROR_INVALID_PARAMS */,
                                "%s must be of type callable, %s given", name, zend_zval_type_name(z));
    }
    return ok;
}

void event_add(INTERNAL_FUNCTION_PARAMETERS) {
    zval *zfd, *zread = nullptr, *zwrite = nullptr;
    zend_long events = kEventRead;
    ZEND_PARSE_PARAMETERS_START(1, 4)
        Z_PARAM_ZVAL(zfd)
        Z_PARAM_OPTIONAL
        Z_PARAM_ZVAL_OR_NULL(zread)
        Z_PARAM_ZVAL_OR_NULL(zwrite)
        Z_PARAM_LONG(events)
    ZEND_PARSE_PARAMETERS_END();
    int fd = fd_of(zfd);
    if (fd < 0) {
        if (EG(exception)) RETURN_THROWS();
        php_error_docref(nullptr, E_WARNING, "unknown fd type");
        RETURN_FALSE;
    }
    if (fd == 0 && (events & kEventWrite)) {
        php_error_docref(nullptr, E_WARNING, "invalid socket fd [%d]", fd);
        RETURN_FALSE;
    }
    EventRegistry &reg = registry();
    if (reg.fds.count(fd)) {
        php_error_docref(nullptr, E_WARNING, "already exist");
        RETURN_FALSE;
    }
    if (!(events & (kEventRead | kEventWrite))) {
        php_error_docref(nullptr, E_WARNING, "invalid events");
        RETURN_FALSE;
    }
    auto e = std::make_unique<EventEntry>();
    callable_arg(zread, "readable_callback", e->on_read);
    callable_arg(zwrite, "writable_callback", e->on_write);
    if ((events & kEventRead) && !e->on_read) {
        php_error_docref(nullptr, E_WARNING, "Swoole\\Event: unable to find readable callback of fd [%d]", fd);
        RETURN_FALSE;
    }
    if ((events & kEventWrite) && !e->on_write) {
        php_error_docref(nullptr, E_WARNING, "Swoole\\Event: unable to find writable callback of fd [%d]", fd);
        RETURN_FALSE;
    }
    ZVAL_COPY(&e->socket, zfd);
    e->events = events & (kEventRead | kEventWrite);
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (reg.reactor->add(fd, reactor_interest(*e), [fd](uint32_t ready) { on_fd_event(fd, ready); }) != 0) {
        php_error_docref(nullptr, E_WARNING, "swoole_event_add failed");
        RETURN_FALSE;
    }
    reg.fds.emplace(fd, std::move(e));
    update_keep_alive(reg);
    RETURN_LONG(fd);
}

void event_set(INTERNAL_FUNCTION_PARAMETERS) {
    zval *zfd, *zread = nullptr, *zwrite = nullptr;
    zend_long events = 0;
    ZEND_PARSE_PARAMETERS_START(1, 4)
        Z_PARAM_ZVAL(zfd)
        Z_PARAM_OPTIONAL
        Z_PARAM_ZVAL_OR_NULL(zread)
        Z_PARAM_ZVAL_OR_NULL(zwrite)
        Z_PARAM_LONG(events)
    ZEND_PARSE_PARAMETERS_END();
    int fd = fd_of(zfd);
    if (fd < 0) {
        if (EG(exception)) RETURN_THROWS();
        RETURN_FALSE;
    }
    EventEntry *e = find_entry(fd);
    if (!e) {
        php_error_docref(nullptr, E_WARNING, "socket[%d] is not found in the reactor", fd);
        RETURN_FALSE;
    }
    std::shared_ptr<PhpCallable> on_read, on_write;
    callable_arg(zread, "readable_callback", on_read);
    callable_arg(zwrite, "writable_callback", on_write);
    if (on_read) e->on_read = on_read;
    if (on_write) e->on_write = on_write;
    if ((events & kEventRead) && !e->on_read) {
        php_error_docref(nullptr, E_WARNING, "Swoole\\Event: unable to find readable callback of fd [%d]", fd);
        RETURN_FALSE;
    }
    if ((events & kEventWrite) && !e->on_write) {
        php_error_docref(nullptr, E_WARNING, "Swoole\\Event: unable to find writable callback of fd [%d]", fd);
        RETURN_FALSE;
    }
    // As in Swoole, events 0 (the default) leaves the interest as it was.
    if (events & (kEventRead | kEventWrite)) e->events = events & (kEventRead | kEventWrite);
    if (g_events->reactor->modify(fd, reactor_interest(*e)) != 0) {
        php_error_docref(nullptr, E_WARNING, "Swoole\\Event::set failed");
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

void event_del(INTERNAL_FUNCTION_PARAMETERS) {
    zval *zfd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ZVAL(zfd)
    ZEND_PARSE_PARAMETERS_END();
    int fd = fd_of(zfd);
    if (fd < 0) {
        if (EG(exception)) RETURN_THROWS();
        php_error_docref(nullptr, E_WARNING, "unknown type");
        RETURN_FALSE;
    }
    if (!find_entry(fd)) RETURN_FALSE;
    remove_fd(fd);
    RETURN_TRUE;
}

void event_isset(INTERNAL_FUNCTION_PARAMETERS) {
    zval *zfd;
    zend_long events = kEventRead | kEventWrite;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ZVAL(zfd)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(events)
    ZEND_PARSE_PARAMETERS_END();
    int fd = fd_of(zfd);
    if (fd < 0) {
        if (EG(exception)) RETURN_THROWS();
        php_error_docref(nullptr, E_WARNING, "unknown type");
        RETURN_FALSE;
    }
    EventEntry *e = find_entry(fd);
    RETURN_BOOL(e && (e->events & events));
}

void event_write(INTERNAL_FUNCTION_PARAMETERS) {
    zval *zfd;
    zend_string *data;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ZVAL(zfd)
        Z_PARAM_STR(data)
    ZEND_PARSE_PARAMETERS_END();
    if (ZSTR_LEN(data) == 0) {
        php_error_docref(nullptr, E_WARNING, "data empty");
        RETURN_FALSE;
    }
    int fd = fd_of(zfd);
    if (fd < 0) {
        if (EG(exception)) RETURN_THROWS();
        php_error_docref(nullptr, E_WARNING, "unknown type");
        RETURN_FALSE;
    }
    EventEntry *e = find_entry(fd);
    if (!e) {
        php_error_docref(nullptr, E_WARNING, "socket[%d] is not found in the reactor", fd);
        RETURN_FALSE;
    }
    bool was_empty = e->out.empty();
    e->out.append(ZSTR_VAL(data), ZSTR_LEN(data));
    if (was_empty) {
        if (!flush_output(fd, *e)) RETURN_FALSE;
        // Whatever is left goes out when the fd is writable again.
        if (!e->out.empty()) g_events->reactor->modify(fd, reactor_interest(*e));
    }
    RETURN_TRUE;
}

void apply_cycle_callbacks(EventRegistry &reg) {
    ws::Reactor::Callback before, after;
    if (reg.cycle_before) {
        std::shared_ptr<PhpCallable> cb = reg.cycle_before;
        before = [cb] { wsserver_coroutine_start(cb); };
    }
    if (reg.cycle_after) {
        std::shared_ptr<PhpCallable> cb = reg.cycle_after;
        after = [cb] { wsserver_coroutine_start(cb); };
    }
    reg.reactor->set_cycle_callbacks(std::move(before), std::move(after));
}

void event_cycle(INTERNAL_FUNCTION_PARAMETERS) {
    zval *zcb;
    bool before = false;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ZVAL(zcb)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(before)
    ZEND_PARSE_PARAMETERS_END();
    EventRegistry &reg = registry();
    std::shared_ptr<PhpCallable> &slot = before ? reg.cycle_before : reg.cycle_after;
    if (Z_TYPE_P(zcb) == IS_NULL) {
        if (!slot) RETURN_FALSE;
        slot.reset();
    } else {
        std::shared_ptr<PhpCallable> cb;
        if (!callable_arg(zcb, nullptr, cb)) RETURN_FALSE;
        slot = cb;
    }
    apply_cycle_callbacks(reg);
    RETURN_TRUE;
}

void event_dispatch(INTERNAL_FUNCTION_PARAMETERS) {
    ZEND_PARSE_PARAMETERS_NONE();
    if (!wsserver_coroutine_runtime_exists()) RETURN_FALSE;
    // Inside the running loop (a callback, a coroutine, a server worker) one more round
    // cannot be run from here.
    if (wsserver_event_loop_running() || wsserver_scheduler().current()) RETURN_FALSE;
    ws::Reactor &r = wsserver_coroutine_reactor();
    ws::Scheduler &s = wsserver_scheduler();
    bool pending = !r.timers().empty() || r.deferred_count() > 0 || s.fd_waiters() > 0 || s.ready_count() > 0;
    int n = r.run_once(pending ? -1 : 0);
    RETURN_BOOL(n >= 0 || n == -EINTR);
}

void event_defer(INTERNAL_FUNCTION_PARAMETERS) {
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_FUNC(fci, fcc)
    ZEND_PARSE_PARAMETERS_END();
    auto callable = std::make_shared<PhpCallable>(&fci.function_name, nullptr, 0);
    wsserver_coroutine_reactor().defer([callable] { wsserver_coroutine_start(callable); });
    if (!wsserver_event_loop_running()) wsserver_event_loop_at_shutdown();
    RETURN_TRUE;
}

void event_wait() {
    // Inside run() or a coroutine the loop is already running: nothing to do.
    if (!wsserver_coroutine_runtime_exists() || wsserver_event_loop_running() || wsserver_scheduler().current()) {
        return;
    }
    wsserver_event_loop_run();
}

}  // namespace

void wsserver_events_reset() {
    // The reactor is gone with the runtime: only our own references are released.
    g_events.reset();
}

ZEND_METHOD(Swoole_Event, add) { event_add(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_add) { event_add(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Event, set) { event_set(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_set) { event_set(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Event, del) { event_del(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_del) { event_del(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Event, isset) { event_isset(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_isset) { event_isset(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Event, write) { event_write(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_write) { event_write(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Event, cycle) { event_cycle(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_cycle) { event_cycle(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Event, dispatch) { event_dispatch(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_dispatch) { event_dispatch(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_METHOD(Swoole_Event, defer) { event_defer(INTERNAL_FUNCTION_PARAM_PASSTHRU); }
ZEND_FUNCTION(swoole_event_defer) { event_defer(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Event, wait) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    event_wait();
}
ZEND_FUNCTION(swoole_event_wait) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    event_wait();
}

ZEND_METHOD(Swoole_Event, exit) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    wsserver_event_loop_exit();
}
ZEND_FUNCTION(swoole_event_exit) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    wsserver_event_loop_exit();
}
