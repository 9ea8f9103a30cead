// What the coroutine binding files share: the process's coroutine runtime (the engine's
// Scheduler on PHP's fiber context, and the Reactor that drives it outside a server),
// and PhpCallable, a callable with its bound arguments that engine callbacks can hold.
#pragma once

#include "php/classes.h"

#include <functional>
#include <memory>
#include <vector>

#include "core/coroutine/scheduler.h"
#include "core/net/reactor.h"

// A PHP callable and its arguments, owned (refcounted) for as long as the object lives.
class PhpCallable {
public:
    PhpCallable(zval *fn, zval *args, uint32_t argc);
    // A copy of `bound` with `first_arg` (if not 0) before its bound arguments.
    PhpCallable(const PhpCallable &bound, zend_long first_arg);
    ~PhpCallable();
    PhpCallable(const PhpCallable &) = delete;
    PhpCallable &operator=(const PhpCallable &) = delete;

    // Calls it with `prefix` arguments before the bound ones; false if it threw or could
    // not be called. The return value is discarded.
    bool call(const zval *prefix = nullptr, uint32_t prefix_count = 0) const;
    zval *function() { return &fn_; }

private:
    zval fn_;
    std::vector<zval> args_;
};

struct CoroutineRuntime;

// The runtime, created on first use and destroyed at the end of the request.
CoroutineRuntime &wsserver_coroutine_runtime();
wsserver::Scheduler &wsserver_scheduler();
wsserver::Reactor &wsserver_coroutine_reactor();
bool wsserver_coroutine_runtime_exists();
void wsserver_coroutine_runtime_shutdown();

// In a server worker: the coroutines run on the worker's reactor from onWorkerStart on
// (whatever the process inherited from its parent is dropped), and go away with it
// when the worker's loop has ended (detach, before the server's reactor is destroyed).
// `on_uncaught` runs (in the coroutine) when a coroutine of the worker leaves an exception
// uncaught, once it has been reported: the server stops its loop instead of PHP unwinding
// the engine's frames with a longjmp.
void wsserver_coroutine_attach_server_reactor(wsserver::Reactor &reactor, std::function<void()> on_uncaught);
void wsserver_coroutine_detach_server_reactor();
bool wsserver_coroutine_in_server();
// At a worker's graceful end (its loop has stopped): every suspended coroutine is woken
// with PHP's graceful exit thrown where it waits, so its finally blocks and defers run (as
// PHP's Fiber does when destroyed); one that waits again is woken again, up to a few
// rounds, and what is still suspended then is dropped without unwinding.
void wsserver_coroutine_unwind_all();

// The warning for a coroutine the scheduler could not create (no C stack: out of memory or
// of memory mappings), with PHP's reason.
void wsserver_coroutine_create_failed();

// Starts a coroutine running `callable` (Swoole's go()); its id, or -1 after a warning.
zend_long wsserver_coroutine_start(std::shared_ptr<PhpCallable> callable);

// Runs the loop until nothing is left to wait for (no timer, no deferred callback, no
// coroutine waiting on an fd) or Event::exit(). False (after a warning) if the loop is
// already running.
bool wsserver_event_loop_run();
bool wsserver_event_loop_running();
void wsserver_event_loop_exit();
// Makes the loop run at the end of the script (Swoole does the same for timers, defers
// and coroutines created outside run()).
void wsserver_event_loop_at_shutdown();

// In a coroutine whose PHP code left an exception uncaught: reports it as Swoole does
// (a fatal error) and ends the script once control is back in the resumer (in a server
// worker: calls the worker's on_uncaught, which ends the worker).
void wsserver_coroutine_uncaught();

// The running coroutine, or null after throwing Swoole\Error "API must be called in the
// coroutine".
wsserver::Coroutine *wsserver_current_coroutine_or_throw();

// Seconds (PHP float) to the engine's milliseconds: < 0 or 0 mean "no timeout" (-1), any
// positive value at least 1 ms.
int64_t wsserver_timeout_ms(double seconds);

// The per-coroutine Swoole\Coroutine\Context, created on first use; null if no such
// coroutine.
zend_object *wsserver_coroutine_context_object(wsserver::Coroutine &co);
// The execute data where a suspended coroutine stopped (for getBackTrace()).
zend_execute_data *wsserver_coroutine_saved_frame(wsserver::Coroutine &co);

extern zend_class_entry *wsserver_ce_coroutine;
extern zend_class_entry *wsserver_ce_coroutine_context;
extern zend_class_entry *wsserver_ce_coroutine_iterator;
extern zend_class_entry *wsserver_ce_timer_iterator;
extern zend_class_entry *wsserver_ce_swoole_error;

// Registers every class of stubs/coroutine.stub.php (module.cc calls it in MINIT); the
// classes with objects get their handlers from their own files.
void wsserver_register_coroutine_classes();
void wsserver_init_channel_class(zend_class_entry *ce);     // coroutine_channel.cc
void wsserver_init_wait_group_class(zend_class_entry *ce);  // coroutine_channel.cc

// coroutine_context.cc: the C stack size of new coroutines (Coroutine::set()).
void wsserver_coroutine_set_stack_size(size_t n);
size_t wsserver_coroutine_stack_size();
// coroutine_timer.cc: forgets the PHP timers (the runtime is going away).
void wsserver_timers_reset();
// coroutine.cc: the options Coroutine::set() stored, released at the end of the request.
void wsserver_coroutine_options_reset();
