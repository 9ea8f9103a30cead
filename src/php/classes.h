// What the src/php translation units share: class entries, registration functions and
// the frame codec methods that Swoole\WebSocket\Server forwards to Frame.
#pragma once

// Included first by every src/php file: config.h (COMPILE_DL_WSSERVER), then php.h, then
// php_wsserver.h, which declares the ZTS cache the EG()/CG() macros use.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "php.h"
#include "php_wsserver.h"

#include <new>
#include <string>
#include <string_view>
#include <utility>

// Zend allocates our object structs with emalloc and runs no C++ constructor or
// destructor: their C++ members are built in create_object and destroyed in free_obj.
template <class T, class... Args>
void construct_member(T &member, Args &&...args) {
    ::new (static_cast<void *>(&member)) T(std::forward<Args>(args)...);
}
template <class T>
void destroy_member(T &member) {
    member.~T();
}

// Allocates the struct around a new zend_object of class `ce` and initialises the object
// part; the caller then builds its C++ members (construct_member) and returns &o->std.
template <class T>
T *new_object(zend_class_entry *ce, const zend_object_handlers &handlers) {
    auto *o = static_cast<T *>(zend_object_alloc(sizeof(T), ce));
    zend_object_std_init(&o->std, ce);
    object_properties_init(&o->std, ce);
    o->std.handlers = &handlers;
    return o;
}

// The struct around a zend_object; `std` must be its last member.
template <class T>
T *object_from(zend_object *obj) {
    return reinterpret_cast<T *>(reinterpret_cast<char *>(obj) - XtOffsetOf(T, std));
}

// A PHP string from a view. An empty view may have a null data(), which must not reach
// memcpy (undefined even for 0 bytes): it gives the interned empty string.
inline zend_string *zstr_from(std::string_view v) {
    return v.empty() ? ZSTR_EMPTY_ALLOC() : zend_string_init(v.data(), v.size(), 0);
}

// Set by the register functions in MINIT.
extern zend_class_entry *wsserver_ce_server;            // Swoole\Server
extern zend_class_entry *wsserver_ce_http_server;       // Swoole\Http\Server
extern zend_class_entry *wsserver_ce_websocket_server;  // Swoole\WebSocket\Server
extern zend_class_entry *wsserver_ce_frame;             // Swoole\WebSocket\Frame
extern zend_class_entry *wsserver_ce_close_frame;       // Swoole\WebSocket\CloseFrame
extern zend_class_entry *wsserver_ce_exception;         // Swoole\Exception
extern zend_class_entry *wsserver_ce_connection_iterator;  // Swoole\Connection\Iterator
extern zend_class_entry *wsserver_ce_server_port;       // Swoole\Server\Port
extern zend_class_entry *wsserver_ce_server_task;       // Swoole\Server\Task
extern zend_class_entry *wsserver_ce_http_response;     // Swoole\Http\Response
extern zend_class_entry *wsserver_ce_http_request;      // Swoole\Http\Request
extern zend_class_entry *wsserver_ce_table;             // Swoole\Table
extern zend_class_entry *wsserver_ce_atomic;            // Swoole\Atomic
extern zend_class_entry *wsserver_ce_atomic_long;       // Swoole\Atomic\Long
extern zend_class_entry *wsserver_ce_lock;              // Swoole\Lock

// constants.cc
void wsserver_register_constants(int module_number);

// One per class file, called in this order (a parent before its children).
void wsserver_register_server_class();
void wsserver_register_server_port_class();
void wsserver_register_server_task_class();  // server_task.cc
void wsserver_register_http_server_class();
void wsserver_register_websocket_server_class();
void wsserver_register_frame_classes();
void wsserver_register_table_class();   // table.cc
void wsserver_register_atomic_classes();  // atomic.cc
void wsserver_register_lock_class();    // lock.cc
// http_request.cc: the handlers of Swoole\Http\Request, whose class entry
// wsserver_register_http_server_class() (http_response.cc) registers.
void wsserver_init_http_request_class(zend_class_entry *ce);

// websocket_frame.cc: bodies of Frame::pack() and Frame::unpack(), shared with
// Swoole\WebSocket\Server::pack() and ::unpack().
void wsserver_frame_pack(INTERNAL_FUNCTION_PARAMETERS);
void wsserver_frame_unpack(INTERNAL_FUNCTION_PARAMETERS);

// websocket_frame.cc, for the server: a Frame object's fields as pack() reads them
// (finish applied; a close frame's payload is its code, then its reason), false after
// an exception; and the Frame/CloseFrame a received message is delivered as.
bool wsserver_frame_read(zend_object *frame, zend_long &opcode, zend_long &flags, std::string &payload);
void wsserver_frame_received(zval *out, zend_long fd, uint8_t opcode, std::string_view payload, unsigned flags);
