// What the coroutine API files added after coroutine_runtime.h share among themselves
// (that header belongs to the runtime; these are the API's own cross-file calls).
#pragma once

#include "php/coroutine_runtime.h"

// coroutine.cc: Coroutine::cancel($cid, true) leaves a Swoole\Coroutine\CanceledException
// for the coroutine; every wait of the API calls this once it is resumed, and it throws
// that exception in the running coroutine if one is pending. True if it threw.
bool wsserver_coroutine_throw_pending();
extern zend_class_entry *wsserver_ce_coroutine_canceled_exception;

// coroutine_barrier.cc: the handlers of Swoole\Coroutine\Barrier.
void wsserver_init_barrier_class(zend_class_entry *ce);

// event.cc: forgets the Event::add() registrations and cycle callbacks (the runtime and
// its reactor are gone); called at the end of the request.
void wsserver_events_reset();
