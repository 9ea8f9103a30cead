// Swoole\Server's view of the connections: send(), close(), exists(), getClientInfo(),
// getClientList(), heartbeat(), stats(), and Swoole\Connection\Iterator (the
// `connections` property of a server or a port).
#include "php/classes.h"
#include "php/server_internal.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ws = wsserver;

namespace {

zend_object_handlers iterator_handlers;

struct IteratorObject {
    zval server;  // the Swoole\Server, kept alive
    std::vector<ws::SessionId> ids;
    size_t pos;
    uint16_t server_port;  // a Port's iterator: only connections to that port; 0: all
    zend_object std;
};

IteratorObject *iterator_from(zend_object *obj) {
    return object_from<IteratorObject>(obj);
}

zend_object *iterator_create(zend_class_entry *ce) {
    auto *it = new_object<IteratorObject>(ce, iterator_handlers);
    ZVAL_UNDEF(&it->server);
    construct_member(it->ids);
    it->pos = 0;
    it->server_port = 0;
    return &it->std;
}

void iterator_free(zend_object *obj) {
    IteratorObject *it = iterator_from(obj);
    zval_ptr_dtor(&it->server);
    ZVAL_UNDEF(&it->server);
    destroy_member(it->ids);
    zend_object_std_dtor(obj);
}

HashTable *iterator_get_gc(zend_object *obj, zval **table, int *n) {
    IteratorObject *it = iterator_from(obj);
    if (Z_ISUNDEF(it->server)) {
        *table = nullptr;
        *n = 0;
    } else {
        *table = &it->server;
        *n = 1;
    }
    return zend_std_get_properties(obj);
}

// Every session, or those that came in on `server_port` (0: all).
std::vector<ws::SessionId> port_session_ids(ws::Server &s, uint16_t server_port) {
    std::vector<ws::SessionId> ids = s.session_ids();
    if (server_port == 0) return ids;
    ws::ClientInfo info;
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [&](ws::SessionId id) { return !s.client_info(id, info) || info.server_port != server_port; }),
              ids.end());
    return ids;
}

ws::Server *iterator_engine(IteratorObject *it) {
    if (Z_TYPE(it->server) != IS_OBJECT) return nullptr;
    ServerObject *o = wsserver_server_from(Z_OBJ(it->server));
    return o->impl ? o->impl->server.get() : nullptr;
}

// ---- client info

// False when the session is unknown.
bool client_info_array(zval *out, ws::Server *s, ws::SessionId id, bool websocket) {
    ws::ClientInfo info;
    if (!s->client_info(id, info)) return false;
    array_init(out);
    // Swoole's keys in Swoole's order: worker_id only when not 0, websocket_status only on
    // a WebSocket server, times of the last receive/send as floats.
    if (info.worker_id > 0) add_assoc_long(out, "worker_id", info.worker_id);
    if (websocket) add_assoc_long(out, "websocket_status", info.websocket_status);
    add_assoc_long(out, "server_port", info.server_port);
    add_assoc_long(out, "server_fd", info.server_fd);
    add_assoc_long(out, "socket_fd", info.socket_fd);
    add_assoc_long(out, "socket_type", info.socket_type);
    add_assoc_long(out, "remote_port", info.remote_port);
    add_assoc_stringl(out, "remote_ip", info.remote_ip.data(), info.remote_ip.size());
    add_assoc_long(out, "reactor_id", info.reactor_id);  // BASE: the worker; PROCESS: the reactor thread
    // Swoole: connect_time and last_time whole seconds, the others microtime() floats.
    const int64_t last_us = info.last_recv_time_us ? info.last_recv_time_us : info.connect_time_us;
    add_assoc_long(out, "connect_time", static_cast<zend_long>(info.connect_time_us / 1000000));
    add_assoc_long(out, "last_time", static_cast<zend_long>(last_us / 1000000));
    add_assoc_double(out, "last_recv_time", static_cast<double>(info.last_recv_time_us) / 1e6);
    add_assoc_double(out, "last_send_time", static_cast<double>(info.last_send_time_us) / 1e6);
    add_assoc_double(out, "last_dispatch_time", static_cast<double>(info.last_recv_time_us) / 1e6);
    add_assoc_long(out, "close_errno", 0);
    add_assoc_long(out, "recv_queued_bytes", 0);
    add_assoc_long(out, "send_queued_bytes", static_cast<zend_long>(info.send_queued_bytes));
    // Our addition: the peer's close code and reason once the close handshake began.
    ws::CloseInfo ci;
    if (websocket && info.closing && s->close_info(id, ci)) {
        add_assoc_long(out, "close_code", ci.peer_code);
        add_assoc_stringl(out, "close_reason", ci.peer_reason.data(), ci.peer_reason.size());
    }
    return true;
}

void client_info_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long fd;
    zend_long reactor_id = -1;
    bool ignore_error = false;
    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_LONG(fd)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(reactor_id)
        Z_PARAM_BOOL(ignore_error)
    ZEND_PARSE_PARAMETERS_END();
    (void)reactor_id;
    (void)ignore_error;
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    if (fd <= 0 || !client_info_array(return_value, s, static_cast<ws::SessionId>(fd),
                                       instanceof_function(Z_OBJCE_P(ZEND_THIS), wsserver_ce_websocket_server))) {
        RETURN_FALSE;
    }
}

void client_list_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long start_fd = 0;
    zend_long find_count = 10;
    ZEND_PARSE_PARAMETERS_START(0, 2)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(start_fd)
        Z_PARAM_LONG(find_count)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    if (find_count > 100) {
        php_error_docref(nullptr, E_WARNING, "swoole connection list max_find_count=100");
        RETURN_FALSE;
    }
    array_init(return_value);
    zend_long found = 0;
    if (find_count > 0) {
        for (ws::SessionId id : s->session_ids(std::max<zend_long>(start_fd, 0), static_cast<size_t>(find_count))) {
            add_next_index_long(return_value, static_cast<zend_long>(id));
            found++;
        }
    }
    if (found == 0) {
        zval_ptr_dtor(return_value);
        RETURN_FALSE;
    }
}

void exists_method(INTERNAL_FUNCTION_PARAMETERS) {
    zend_long fd;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_LONG(fd)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    RETURN_BOOL(fd > 0 && s->exists(static_cast<ws::SessionId>(fd)));
}

}  // namespace

void wsserver_init_connection_iterator_class(zend_class_entry *ce) {
    ce->create_object = iterator_create;
    std::memcpy(&iterator_handlers, zend_get_std_object_handlers(), sizeof(iterator_handlers));
    iterator_handlers.offset = XtOffsetOf(IteratorObject, std);
    iterator_handlers.free_obj = iterator_free;
    iterator_handlers.get_gc = iterator_get_gc;
    iterator_handlers.clone_obj = nullptr;
}

void wsserver_make_connection_iterator(zval *out, zval *server, uint16_t server_port) {
    object_init_ex(out, wsserver_ce_connection_iterator);
    IteratorObject *it = iterator_from(Z_OBJ_P(out));
    ZVAL_COPY(&it->server, server);
    it->server_port = server_port;
}

ZEND_METHOD(Swoole_Server, send) {
    zval *fd;
    zend_string *data;
    zend_long server_socket = -1;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_ZVAL(fd)
        Z_PARAM_STR(data)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(server_socket)
    ZEND_PARSE_PARAMETERS_END();
    (void)server_socket;
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    zend_long id = zval_get_long(fd);
    if (id <= 0 || !s->send(static_cast<ws::SessionId>(id), std::string_view(ZSTR_VAL(data), ZSTR_LEN(data)))) {
        this_server(ZEND_THIS)->impl->last_error = static_cast<int>(s->last_error());
        if (s->last_error() == ws::ServerError::SessionNotExist || id <= 0) {
            php_error_docref(nullptr, E_WARNING, "session#" ZEND_LONG_FMT " does not exists", id);
        }
        RETURN_FALSE;
    }
    RETURN_TRUE;
}

ZEND_METHOD(Swoole_Server, exists) { exists_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, exist) { exists_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, close) {
    zend_long fd;
    bool reset = false;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_LONG(fd)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(reset)
    ZEND_PARSE_PARAMETERS_END();
    ws::Server *s = wsserver_engine_of(ZEND_THIS);
    if (!s) RETURN_THROWS();
    RETURN_BOOL(fd > 0 && s->close(static_cast<ws::SessionId>(fd), reset));
}

ZEND_METHOD(Swoole_Server, getClientInfo) { client_info_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, connection_info) { client_info_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, getClientList) { client_list_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

ZEND_METHOD(Swoole_Server, connection_list) { client_list_method(INTERNAL_FUNCTION_PARAM_PASSTHRU); }

// This process's idle connections (Swoole: the calling worker's reactor), closed unless
// $ifCloseConnection is false. The idle time is heartbeat_idle_time (or twice the check
// interval); false when no heartbeat is configured.
ZEND_METHOD(Swoole_Server, heartbeat) {
    bool close_them = true;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_BOOL(close_them)
    ZEND_PARSE_PARAMETERS_END();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = wsserver_running_engine(impl);
    if (!s) RETURN_FALSE;
    const ws::ServerConfig &c = impl.config;
    uint32_t idle = c.heartbeat_idle_time ? c.heartbeat_idle_time : 2 * c.heartbeat_check_interval;
    if (idle == 0) {
        php_error_docref(nullptr, E_WARNING, "heartbeat_check_interval or heartbeat_idle_time must be set");
        RETURN_FALSE;
    }
    array_init(return_value);
    for (ws::SessionId id : s->idle_sessions(idle, close_them)) add_next_index_long(return_value, id);
}

// Swoole's keys; what a BASE server without tasks or coroutines does not have is 0. The
// connection figures are server-wide (the shared table); the byte and request counts are
// this process's.
ZEND_METHOD(Swoole_Server, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    ServerImpl &impl = *this_server(ZEND_THIS)->impl;
    ws::Server *s = impl.server.get();
    if (!impl.running || !impl.table || !s) {
        php_error_docref(nullptr, E_WARNING, "server is not running");
        RETURN_FALSE;
    }
    const ws::ConnectionTableStats t = impl.table->stats();
    const ws::ServerCounters &c = s->counters();
    array_init(return_value);
    add_assoc_long(return_value, "start_time", impl.start_time);
    add_assoc_long(return_value, "connection_num", static_cast<zend_long>(t.connection_num));
    add_assoc_long(return_value, "abort_count", 0);
    add_assoc_long(return_value, "accept_count", static_cast<zend_long>(t.accept_count));
    add_assoc_long(return_value, "close_count", static_cast<zend_long>(t.close_count));
    add_assoc_long(return_value, "worker_num", impl.config.worker_num);
    add_assoc_long(return_value, "task_worker_num", impl.config.task_worker_num);
    add_assoc_long(return_value, "user_worker_num", 0);
    // Event workers whose state is SWOOLE_WORKER_IDLE (the caller, inside its callback, is busy).
    add_assoc_long(return_value, "idle_worker_num",
                   impl.worker_status ? impl.worker_status->idle_count(0, impl.config.worker_num) : 0);
    add_assoc_long(return_value, "dispatch_count", static_cast<zend_long>(c.requests));
    add_assoc_long(return_value, "request_count", static_cast<zend_long>(c.requests));
    add_assoc_long(return_value, "response_count", static_cast<zend_long>(c.requests));
    add_assoc_long(return_value, "total_recv_bytes", static_cast<zend_long>(c.recv_bytes));
    add_assoc_long(return_value, "total_send_bytes", static_cast<zend_long>(c.send_bytes));
    add_assoc_long(return_value, "pipe_packet_msg_id", 0);
    add_assoc_long(return_value, "concurrency", 0);
    add_assoc_long(return_value, "session_round", static_cast<zend_long>(t.last_id));
    add_assoc_long(return_value, "min_fd", 0);
    add_assoc_long(return_value, "max_fd", 0);
    if (!impl.is_manager) {
        add_assoc_long(return_value, "worker_request_count", static_cast<zend_long>(c.requests));
        add_assoc_long(return_value, "worker_response_count", static_cast<zend_long>(c.requests));
        add_assoc_long(return_value, "worker_dispatch_count", static_cast<zend_long>(c.requests));
        add_assoc_long(return_value, "worker_concurrency", 1);
    }
    add_assoc_long(return_value, "coroutine_num", 0);
    add_assoc_long(return_value, "coroutine_peek_num", 0);
}

// ---- Swoole\Connection\Iterator

ZEND_METHOD(Swoole_Connection_Iterator, rewind) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    ws::Server *s = iterator_engine(it);
    it->ids.clear();
    if (s) it->ids = port_session_ids(*s, it->server_port);
    it->pos = 0;
}

ZEND_METHOD(Swoole_Connection_Iterator, next) {
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    iterator_from(Z_OBJ_P(ZEND_THIS))->pos++;
}

ZEND_METHOD(Swoole_Connection_Iterator, current) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    if (it->pos >= it->ids.size()) RETURN_NULL();
    RETURN_LONG(static_cast<zend_long>(it->ids[it->pos]));
}

ZEND_METHOD(Swoole_Connection_Iterator, key) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    if (it->pos >= it->ids.size()) RETURN_NULL();
    RETURN_LONG(static_cast<zend_long>(it->pos));
}

ZEND_METHOD(Swoole_Connection_Iterator, valid) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    RETURN_BOOL(it->pos < it->ids.size());
}

ZEND_METHOD(Swoole_Connection_Iterator, count) {
    ZEND_PARSE_PARAMETERS_NONE();
    IteratorObject *it = iterator_from(Z_OBJ_P(ZEND_THIS));
    ws::Server *s = iterator_engine(it);
    if (s && it->server_port) RETURN_LONG(static_cast<zend_long>(port_session_ids(*s, it->server_port).size()));
    RETURN_LONG(s ? static_cast<zend_long>(s->connection_count()) : 0);
}
